import type { Db } from './open-database.js';

export interface CouponUse {
  code: string;
  licenceKey: string;
  year: number;
  ticketId: number;
  usedAt: number;
}

/** VIP coupons (seed 001): a code is consumed once; the yearly quota is counted per licence. */
export interface CouponRepository {
  /** True when the code was unused and is now consumed by the ticket; false when it was used before. */
  tryUse(use: CouponUse): boolean;
  countUses(licenceKey: string, year: number): number;
  findUse(code: string): CouponUse | undefined;
}

export function createCouponRepository(db: Db): CouponRepository {
  const insert = db.prepare<[string, string, number, number, number]>(
    'INSERT INTO coupon_uses (code, licence_key, year, ticket_id, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING',
  );
  const count = db.prepare<[string, number], number>('SELECT count(*) FROM coupon_uses WHERE licence_key = ? AND year = ?').pluck();
  const byCode = db.prepare<[string], CouponUse>(
    'SELECT code, licence_key AS licenceKey, year, ticket_id AS ticketId, used_at AS usedAt FROM coupon_uses WHERE code = ?',
  );
  return {
    tryUse: (u) => insert.run(u.code, u.licenceKey, u.year, u.ticketId, u.usedAt).changes === 1,
    countUses: (licenceKey, year) => count.get(licenceKey, year) ?? 0,
    findUse: (code) => byCode.get(code),
  };
}

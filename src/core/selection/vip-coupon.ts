import { compileTokenFinder, findInMessage } from './quoted-tokens.js';
import type { SelectionInput } from './selection-input.js';
import type { SelectionLicence } from './selection-options.js';
import type { AppliedCoupon, CouponRejection, LicenceStatus } from './selection-result.js';

export interface QuotedCoupon {
  code: string;
  owner: SelectionLicence;
}

export type CouponVerdict =
  | { ok: true; coupon: AppliedCoupon }
  | { ok: false; code: string; reason: Exclude<CouponRejection, 'not-needed'>; belongsTo: string };

export type CouponFinder = (subject: string | undefined, body: string | undefined) => QuotedCoupon[];

/** Only configured codes are recognised: a coupon is a code some licence owns, not any VIP-looking word. */
export function compileCouponFinder(licences: readonly SelectionLicence[]): CouponFinder {
  const owners = new Map<string, SelectionLicence>();
  for (const lic of licences) for (const code of lic.vip_coupons?.codes ?? []) if (!owners.has(code)) owners.set(code, lic);
  const finder = compileTokenFinder([...owners.keys()]);
  return (subject, body) => findInMessage(finder, subject, body).map((code) => ({ code, owner: owners.get(code)! }));
}

function usesThisYear(input: SelectionInput, licenceKey: string, year: number): number {
  const c = input.couponUsesThisYear;
  if (c === undefined) return 0;
  return typeof c === 'function' ? c(licenceKey, year) : (c.get(licenceKey) ?? 0);
}

function wasUsed(input: SelectionInput, code: string): boolean {
  const u = input.couponUsed;
  if (u === undefined) return false;
  return typeof u === 'function' ? u(code) : u.has(code);
}

/**
 * Seed 001: a coupon is the licence holder's, for urgent cases, a fixed number a year. So a code
 * counts only from the sender's own licence (identity comes from the address or the quoted licence
 * number, never from the coupon itself, or a leaked code would be a key to VIP support), only while
 * support is active, only once, and only within the year's quota.
 *
 * The first acceptable code in the message wins; if none is, the first code's refusal is reported.
 */
export function judgeCoupons(
  quoted: readonly QuotedCoupon[],
  sender: { licence: SelectionLicence | undefined; status: LicenceStatus },
  year: number,
  input: SelectionInput,
): CouponVerdict | undefined {
  let firstRefusal: CouponVerdict | undefined;
  for (const { code, owner } of quoted) {
    const refuse = (reason: Exclude<CouponRejection, 'not-needed'>): void => {
      firstRefusal ??= { ok: false, code, reason, belongsTo: owner.key };
    };
    if (!sender.licence) refuse('no-licence');
    else if (owner !== sender.licence) refuse('other-licence');
    else if (sender.status !== 'active') refuse('licence-expired');
    else if (wasUsed(input, code)) refuse('already-used');
    else {
      const perYear = owner.vip_coupons?.per_year ?? 0;
      const used = usesThisYear(input, owner.key, year);
      if (used >= perYear) refuse('quota-exhausted');
      else return { ok: true, coupon: { code, licenceKey: owner.key, year, usedThisYear: used + 1, perYear } };
    }
  }
  return firstRefusal;
}

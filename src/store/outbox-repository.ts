import type { Db } from './open-database.js';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface NewOutboxMail {
  ticketId?: number | null;
  /** ack, notification, relay, escalation, closing, command-error, bmp-note, ... */
  kind: string;
  /** Fixed here, so a retried send is the same mail. Without angle brackets. */
  messageId: string;
  /** Envelope recipients. */
  recipients: string[];
  subject: string;
  /** Headers, text, attachments by sha256: whatever the sender renders from; stored as JSON. */
  mail: unknown;
  /** The rendered message, when it is rendered at enqueue time. */
  raw?: Uint8Array | null;
  /** Enqueue instant (epoch ms). */
  at: number;
  /** First attempt not before this instant; `at` by default. */
  notBefore?: number;
}

export interface OutboxMail {
  id: number;
  ticketId: number | null;
  kind: string;
  messageId: string;
  recipients: string[];
  subject: string;
  mail: unknown;
  raw: Buffer | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
  failedAt: number | null;
}

export interface OutboxRepository {
  enqueueOutbox(m: NewOutboxMail): number;
  /**
   * Claims up to `limit` pending mails due at `now`, oldest due first: each gets attempts + 1 and is
   * leased until now + leaseMs (its next_attempt_at), so a concurrent claimer skips it and a crash
   * between claim and markSent/markRetry makes it due again after the lease.
   */
  claimDue(now: number, limit: number, leaseMs?: number): OutboxMail[];
  /**
   * At daemon start: rows claimed by a process that died before it recorded the outcome become due
   * at once instead of after their lease. Only rows that never failed are released (a retry's
   * backoff is also a future next_attempt_at, told apart by its recorded error). Assumes one daemon
   * per database. Returns how many were released.
   */
  releaseLeases(now: number): number;
  /** pending → sent. False when the row is not pending (already sent or failed). */
  markSent(id: number, at: number): boolean;
  /** pending stays pending, next attempt at `nextAt`, error kept. False when not pending. */
  markRetry(id: number, nextAt: number, error: string): boolean;
  /** pending → failed (permanent failure or attempts exhausted). False when not pending. */
  markFailed(id: number, at: number, error: string): boolean;
  /** Moves the lease of a claimed row to `until`. */
  extendLease(id: number, until: number): boolean;
  /** Gives back a claim that was never attempted (stop before the send): due at `now`, the attempt not counted. */
  unclaim(id: number, now: number): boolean;
  /** Stores the rendered bytes once; false when already rendered. */
  setRaw(id: number, raw: Uint8Array): boolean;
  getOutbox(id: number): OutboxMail | undefined;
  findByMessageId(messageId: string): OutboxMail | undefined;
  countByStatus(): Record<OutboxStatus, number>;
  /** Mails of one kind queued for a ticket at or after `since` (index outbox_ticket): the per-ticket notification cap. */
  countForTicketSince(ticketId: number, kind: string, since: number): number;
  /** Mails of one kind queued at or after `since`, any ticket or none (caps on rare mail; no index). */
  countKindSince(kind: string, since: number): number;
}

export const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000;

interface OutboxRow extends Omit<OutboxMail, 'recipients' | 'mail'> {
  recipients: string;
  mail: string;
}

const COLUMNS = `id, ticket_id AS ticketId, kind, message_id AS messageId, recipients, subject, mail, raw, status, attempts,
  next_attempt_at AS nextAttemptAt, last_error AS lastError, created_at AS createdAt, sent_at AS sentAt, failed_at AS failedAt`;

const toMail = (r: OutboxRow): OutboxMail => ({ ...r, recipients: JSON.parse(r.recipients) as string[], mail: JSON.parse(r.mail) as unknown });

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function createOutboxRepository(db: Db): OutboxRepository {
  const insert = db.prepare<{
    ticketId: number | null; kind: string; messageId: string; recipients: string; subject: string; mail: string; raw: Buffer | null; next: number; at: number;
  }>(`INSERT INTO outbox (ticket_id, kind, message_id, recipients, subject, mail, raw, next_attempt_at, created_at)
      VALUES (@ticketId, @kind, @messageId, @recipients, @subject, @mail, @raw, @next, @at)`);
  // One statement: the selection and the lease are atomic even without an explicit transaction.
  const claim = db.prepare<{ now: number; until: number; limit: number }, OutboxRow>(`
    UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @until
    WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= @now ORDER BY next_attempt_at, id LIMIT @limit)
    RETURNING ${COLUMNS}`);
  const sent = db.prepare<[number, number]>("UPDATE outbox SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'pending'");
  const retry = db.prepare<[number, string, number]>("UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'");
  const failed = db.prepare<[number, string, number]>(
    "UPDATE outbox SET status = 'failed', failed_at = ?, last_error = ? WHERE id = ? AND status = 'pending'",
  );
  const release = db.prepare<[number, number]>(
    "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND attempts > 0 AND last_error IS NULL AND next_attempt_at > ?",
  );
  const unclaimRow = db.prepare<[number, number]>(
    "UPDATE outbox SET attempts = max(attempts - 1, 0), next_attempt_at = ? WHERE id = ? AND status = 'pending'",
  );
  const lease = db.prepare<[number, number]>("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'");
  const updRaw = db.prepare<[Buffer, number]>('UPDATE outbox SET raw = ? WHERE id = ? AND raw IS NULL');
  const byId = db.prepare<[number], OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`);
  const byMessageId = db.prepare<[string], OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE message_id = ?`);
  const counts = db.prepare<[], { status: OutboxStatus; n: number }>('SELECT status, count(*) AS n FROM outbox GROUP BY status');
  const countTicketKind = db
    .prepare<[number, string, number], number>('SELECT count(*) FROM outbox WHERE ticket_id = ? AND kind = ? AND created_at >= ?')
    .pluck();
  const countKind = db.prepare<[string, number], number>('SELECT count(*) FROM outbox WHERE kind = ? AND created_at >= ?').pluck();

  return {
    enqueueOutbox: (m) =>
      Number(
        insert.run({
          ticketId: m.ticketId ?? null,
          kind: m.kind,
          messageId: m.messageId,
          recipients: JSON.stringify(m.recipients),
          subject: m.subject,
          mail: JSON.stringify(m.mail ?? null),
          raw: m.raw ? toBuffer(m.raw) : null,
          next: m.notBefore ?? m.at,
          at: m.at,
        }).lastInsertRowid,
      ),
    releaseLeases: (now) => release.run(now, now).changes,
    claimDue(now, limit, leaseMs = DEFAULT_CLAIM_LEASE_MS) {
      if (limit <= 0) return [];
      return claim
        .all({ now, until: now + leaseMs, limit })
        .map(toMail)
        .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    },
    markSent: (id, at) => sent.run(at, id).changes === 1,
    markRetry: (id, nextAt, error) => retry.run(nextAt, error, id).changes === 1,
    markFailed: (id, at, error) => failed.run(at, error, id).changes === 1,
    extendLease: (id, until) => lease.run(until, id).changes === 1,
    unclaim: (id, now) => unclaimRow.run(now, id).changes === 1,
    setRaw: (id, raw) => updRaw.run(toBuffer(raw), id).changes === 1,
    getOutbox(id) {
      const r = byId.get(id);
      return r ? toMail(r) : undefined;
    },
    findByMessageId(messageId) {
      const r = byMessageId.get(messageId);
      return r ? toMail(r) : undefined;
    },
    countByStatus() {
      const out: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
      for (const r of counts.all()) out[r.status] = r.n;
      return out;
    },
    countForTicketSince: (ticketId, kind, since) => countTicketKind.get(ticketId, kind, since) ?? 0,
    countKindSince: (kind, since) => countKind.get(kind, since) ?? 0,
  };
}

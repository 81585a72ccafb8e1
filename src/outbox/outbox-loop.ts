import type { Logger } from 'pino';
import type { TidingsError } from '../errors.js';
import { componentLogger } from '../log/logger.js';
import { DEFAULT_CLAIM_LEASE_MS, type OutboxMail } from '../store/outbox-repository.js';
import type { Repositories } from '../store/repositories.js';
import { classifyDeliveryError, deliveryDetails, permanentDeliveryError } from './delivery-error.js';
import { renderOnThisThread } from '../mail/on-this-thread.js';
import type { RenderFn } from './render-mail.js';
import type { MailTransport, RejectedRecipient, SendReceipt } from './transport.js';

/**
 * The outbox sender: claims due rows, renders them once, sends them, records the outcome.
 *
 * Delivery guarantee: AT LEAST ONCE, never a different mail. A row is claimed with a lease
 * (claimDue moves its next_attempt_at to now + leaseMs and counts the attempt), then sent, then
 * marked sent in one transaction with its `outbox.sent` event (and, for an acknowledgement, the
 * ticket's ack_sent_at: seed 4.12, the request counts as registered once the ack went out). If the
 * process dies after the server took the message but before that transaction commits, the lease
 * runs out, the row is due again and is sent a second time, with the SAME Message-ID and the same
 * bytes (rendered once at the first claim and stored with setRaw). Receivers and MTAs dedupe by
 * Message-ID; the alternative, marking sent before sending, would silently lose mail on a crash,
 * and a lost acknowledgement is worse than a duplicate one.
 *
 * The lease must outlast one send: the SMTP transport's socket timeouts (30 s + 30 s + 60 s by
 * default) stay well inside the default 5-minute lease. Within one process runs never overlap; a
 * second process on the same database would still not double-send a row inside its lease,
 * because claimDue is one atomic UPDATE.
 *
 * Outcomes:
 * - sent → status 'sent', event `outbox.sent`; for a partial delivery (some recipients refused,
 *   others accepted) the mail counts as sent, since a resend would duplicate it for those who got
 *   it, and the refused addresses are listed in `outbox.sent` and in an `outbox.recipients_rejected`
 *   event (permanent flag per address). A temporarily refused recipient of a partial delivery is
 *   not retried: the Message-ID is unique per row and the others already have the mail.
 * - temporary failure (4xx, connection refused/reset, timeout, DNS) → markRetry at
 *   now + jitter(min(maxMs, baseMs · 2^(attempt−1))) with event `outbox.retry`; when the attempt
 *   that failed was the maxAttempts-th → failed (reason `attempts_exhausted`).
 * - permanent failure (5xx, unrenderable row) → status 'failed', event `outbox.failed` with the
 *   server's response; never attempted again.
 */

export interface OutboxBackoff {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Cap of the doubling delay. */
  maxMs: number;
  /** Attempts (sends) before a temporarily failing row is given up. */
  maxAttempts: number;
}

/** 1 min doubling to a 4 h cap, 20 attempts: about 1½–2 days of retrying with the default jitter. */
export const DEFAULT_BACKOFF: Readonly<OutboxBackoff> = Object.freeze({ baseMs: 60_000, maxMs: 4 * 3_600_000, maxAttempts: 20 });
export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_YIELD_PAUSE_MS = 250;
/** Rows claimed (and rendered) together, at least; more when the transport sends many at once. */
const CHUNK_MIN = 32;

/** Turns the computed delay (ms) into the one used; the result is clamped to [0, maxMs]. */
export type Jitter = (delayMs: number, attempt: number) => number;

/** "Equal-ish" jitter: uniformly 75–100 % of the delay, so the cap is never exceeded. */
export const defaultJitter: Jitter = (delayMs) => delayMs - Math.floor(delayMs * 0.25 * Math.random());

/** The delay before the next attempt after attempt number `attempt` (1-based) failed, before jitter. */
export function retryDelayMs(attempt: number, backoff: OutboxBackoff): number {
  const exp = Math.max(0, attempt - 1);
  // 2^exp overflows to Infinity for large exp; min() then yields the cap.
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** exp);
}

export interface OutboxLoopDeps {
  repos: Repositories;
  transport: MailTransport;
  /** The outbox component's logger (a root logger gets `component: 'outbox'` added). */
  logger: Logger;
  now: () => number;
  /** MAIL FROM of every mail (the support address or a bounce address). */
  envelopeFrom: string;
  /** Most rows one run handles before yielding (default 50); a full run is followed by another at once. */
  batchSize?: number;
  /** Claim lease (default 5 min, DEFAULT_CLAIM_LEASE_MS). */
  leaseMs?: number;
  backoff?: Partial<OutboxBackoff>;
  /** Injected for tests; defaultJitter otherwise. */
  jitter?: Jitter;
  /** Renders a row's mail JSON (the mail thread in the daemon); renderMail over repos.blobs when unset. */
  render?: RenderFn;
  /**
   * While this answers true (the mail source is working through a backlog), the outbox sends one
   * chunk per `yieldPauseMs` instead of running flat out: storing incoming mail durably comes
   * first, on the same thread, and the acknowledgements follow as soon as the backlog is stored.
   */
  yieldTo?: () => boolean;
  /** Pause between chunks while yielding (default 250 ms). */
  yieldPauseMs?: number;
  /** Sends in flight at once; the transport's maxConcurrency (SMTP pool size) by default, else 1. */
  concurrency?: number;
}

export interface OutboxRunResult {
  sent: number;
  retried: number;
  failed: number;
}

export interface OutboxLoop {
  /** One pass over the due rows (up to batchSize). A call while a pass runs waits for it and then runs one more pass. */
  runOnce(): Promise<OutboxRunResult>;
  /** Runs a pass now and then every `intervalMs` (at once again after a full batch). */
  start(intervalMs: number): void;
  /** Stops the timer and resolves once the send in flight has finished and been recorded. Final. */
  stop(): Promise<void>;
  /** Runs a pass as soon as possible (call after an enqueue commits). No-op unless started. */
  wake(): void;
}

type Outcome = keyof OutboxRunResult | 'none';

const EMPTY = (): OutboxRunResult => ({ sent: 0, retried: 0, failed: 0 });

export function createOutboxLoop(deps: OutboxLoopDeps): OutboxLoop {
  const { repos, transport, now, envelopeFrom } = deps;
  const logger = deps.logger.bindings().component === undefined ? componentLogger(deps.logger, 'outbox') : deps.logger;
  const backoff: OutboxBackoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
  const jitter = deps.jitter ?? defaultJitter;
  const batchSize = Math.max(1, deps.batchSize ?? DEFAULT_BATCH_SIZE);
  const leaseMs = deps.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const concurrency = Math.max(1, deps.concurrency ?? transport.maxConcurrency ?? 1);
  const chunkSize = Math.max(2 * concurrency, CHUNK_MIN);
  const render: RenderFn = deps.render ?? ((mail, messageId) => renderOnThisThread({ mail, messageId, blobs: repos.blobs }));

  let stopped = false;
  let started = false;
  let intervalMs = 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<OutboxRunResult> | undefined;
  let followUp: Promise<OutboxRunResult> | undefined;
  let lastRunWasFull = false;
  let yielded = false;
  const yieldPauseMs = Math.max(1, deps.yieldPauseMs ?? DEFAULT_YIELD_PAUSE_MS);

  const rowLog = (row: OutboxMail) => ({ outboxId: row.id, kind: row.kind, messageId: row.messageId, ticketId: row.ticketId, attempt: row.attempts });

  /**
   * What a send attempt ended with, still to be written. Recorded in groups: every outcome that
   * finished while the previous group was committing goes into the next transaction, so a busy
   * outbox pays one fsync per group, not per mail.
   */
  type Pending =
    | { type: 'sent'; row: OutboxMail; receipt: SendReceipt | void }
    | { type: 'retry'; row: OutboxMail; err: TidingsError }
    | { type: 'failed'; row: OutboxMail; err: TidingsError; reason: 'permanent' | 'attempts_exhausted' };

  /** Writes one outcome (inside the group's transaction); returns the log line to emit after the commit. */
  function writeOutcome(p: Pending, at: number): () => Outcome {
    const { row } = p;
    if (p.type === 'retry' && row.attempts >= backoff.maxAttempts) return writeOutcome({ type: 'failed', row, err: p.err, reason: 'attempts_exhausted' }, at);
    if (p.type === 'sent') {
      const rejected: RejectedRecipient[] = p.receipt ? p.receipt.rejected : [];
      if (!repos.outbox.markSent(row.id, at)) {
        return () => {
          logger.warn({ event: 'outbox.mark_conflict', ...rowLog(row) }, 'sent, but the row was no longer pending');
          return 'none';
        };
      }
      const data: Record<string, unknown> = { outboxId: row.id, kind: row.kind, messageId: row.messageId, attempts: row.attempts, recipients: row.recipients.length };
      if (p.receipt?.response) data.response = p.receipt.response;
      if (rejected.length) data.rejected = rejected;
      repos.events.recordEvent({ ticketId: row.ticketId, at, type: 'outbox.sent', data });
      if (rejected.length) {
        repos.events.recordEvent({ ticketId: row.ticketId, at, type: 'outbox.recipients_rejected', data: { outboxId: row.id, messageId: row.messageId, rejected } });
      }
      if (row.kind === 'ack' && row.ticketId !== null) repos.tickets.markAckSent(row.ticketId, at);
      return () => {
        logger.info({ event: 'outbox.sent', ...rowLog(row), recipients: row.recipients.length }, 'mail sent');
        if (rejected.length) {
          logger.warn(
            { event: 'outbox.recipients_rejected', ...rowLog(row), rejected: rejected.length, permanent: rejected.filter((r) => r.permanent).length },
            'some recipients refused the mail',
          );
        }
        return 'sent';
      };
    }
    const d = deliveryDetails(p.err);
    if (p.type === 'failed') {
      if (!repos.outbox.markFailed(row.id, at, p.err.message)) return () => 'none';
      const data: Record<string, unknown> = { outboxId: row.id, kind: row.kind, messageId: row.messageId, attempts: row.attempts, reason: p.reason, error: p.err.message };
      if (d.responseCode !== undefined) data.responseCode = d.responseCode;
      if (d.response !== undefined) data.response = d.response;
      if (d.code !== undefined) data.code = d.code;
      if (d.stage !== undefined) data.stage = d.stage;
      repos.events.recordEvent({ ticketId: row.ticketId, at, type: 'outbox.failed', data });
      return () => {
        logger.error({ event: 'outbox.failed', ...rowLog(row), reason: p.reason, err: p.err }, 'mail failed for good');
        return 'failed';
      };
    }
    const base = retryDelayMs(row.attempts, backoff);
    const jittered = jitter(base, row.attempts);
    const delay = Number.isFinite(jittered) ? Math.max(0, Math.min(backoff.maxMs, Math.round(jittered))) : base;
    const nextAttemptAt = at + delay;
    if (!repos.outbox.markRetry(row.id, nextAttemptAt, p.err.message)) return () => 'none';
    const data: Record<string, unknown> = { outboxId: row.id, kind: row.kind, messageId: row.messageId, attempt: row.attempts, nextAttemptAt, error: p.err.message };
    if (d.responseCode !== undefined) data.responseCode = d.responseCode;
    if (d.code !== undefined) data.code = d.code;
    repos.events.recordEvent({ ticketId: row.ticketId, at, type: 'outbox.retry', data });
    return () => {
      logger.warn({ event: 'outbox.retry', ...rowLog(row), delayMs: delay, nextAttemptAt, err: p.err }, 'delivery failed, will retry');
      return 'retried';
    };
  }

  let queued: Array<{ p: Pending; done: (o: Outcome) => void }> = [];
  let flushScheduled = false;

  /** Records the queued outcomes in one transaction; each waiting send learns its outcome after the commit. */
  function flush(): void {
    flushScheduled = false;
    const group = queued;
    queued = [];
    if (group.length === 0) return;
    let logs: Array<() => Outcome>;
    try {
      const at = now();
      // Not durable: lost only with the machine's power, and then the mail is sent again (same bytes).
      logs = repos.transaction(() => group.map((g) => writeOutcome(g.p, at)), { durable: false });
    } catch (err) {
      // A database error while recording: the rows keep their lease and are attempted again after it.
      for (const g of group) logger.error({ event: 'outbox.record_error', ...rowLog(g.p.row), err }, 'could not record the delivery outcome');
      for (const g of group) g.done('none');
      return;
    }
    group.forEach((g, i) => g.done(logs[i]!()));
  }

  function record(p: Pending): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      queued.push({ p, done: resolve });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
  }

  const failure = (row: OutboxMail, err: unknown): Pending => {
    const e = classifyDeliveryError(err);
    return e.code === 'E_TRANSPORT_PERMANENT' ? { type: 'failed', row, err: e, reason: 'permanent' } : { type: 'retry', row, err: e };
  };

  /**
   * Renders the rows that have no bytes yet and stores all of them in one transaction, so every
   * later attempt sends the same bytes. A row rendered by someone else meanwhile keeps theirs: that
   * may be the one already out.
   */
  async function prepare(rows: OutboxMail[]): Promise<Array<{ row: OutboxMail; raw: Buffer } | Pending>> {
    const fresh: Array<{ row: OutboxMail; raw: Buffer }> = [];
    // All at once: with a mail thread the renders run there while this thread goes on.
    const out = await Promise.all(
      rows.map(async (row): Promise<{ row: OutboxMail; raw: Buffer } | Pending> => {
        try {
          if (row.recipients.length === 0) throw permanentDeliveryError('the row has no envelope recipients', { stage: 'render' });
          if (row.raw) return { row, raw: row.raw };
          const item = { row, raw: await render(row.mail, row.messageId) };
          fresh.push(item);
          return item;
        } catch (err) {
          return failure(row, err);
        }
      }),
    );
    if (fresh.length > 0) {
      repos.transaction(() => {
        for (const item of fresh) if (!repos.outbox.setRaw(item.row.id, item.raw)) item.raw = repos.outbox.getOutbox(item.row.id)?.raw ?? item.raw;
      });
    }
    return out;
  }

  async function sendOne(row: OutboxMail, raw: Buffer): Promise<Outcome> {
    let receipt: SendReceipt | void;
    try {
      receipt = await transport.send({ from: envelopeFrom, to: row.recipients }, raw, row.messageId);
    } catch (err) {
      return record(failure(row, err));
    }
    return record({ type: 'sent', row, receipt });
  }

  /**
   * Claims, renders and sends the due rows in chunks (one claim and one store of rendered bytes per
   * chunk); each claim's lease is `leaseMs` per round of sends, so it outlasts the chunk even when
   * every send runs into the SMTP timeouts.
   */
  async function pass(): Promise<OutboxRunResult> {
    const result = EMPTY();
    let claimed = 0;
    while (!stopped && claimed < batchSize) {
      const limit = Math.min(chunkSize, batchSize - claimed);
      // The lease covers one send per round of `concurrency` sends; a lost claim only delays the row.
      const rows = repos.transaction(() => {
        const at = now();
        const claimedRows = repos.outbox.claimDue(at, limit, leaseMs);
        const rounds = Math.ceil(claimedRows.length / concurrency);
        if (rounds > 1) for (const row of claimedRows) repos.outbox.extendLease(row.id, at + leaseMs * rounds);
        return claimedRows;
      }, { durable: false });
      if (rows.length === 0) break;
      claimed += rows.length;
      await sendChunk(rows, result);
      if (deps.yieldTo?.()) {
        yielded = true;
        break;
      }
    }
    lastRunWasFull = !stopped && claimed >= batchSize;
    return result;
  }

  async function sendChunk(rows: OutboxMail[], result: OutboxRunResult): Promise<void> {
    let items: Array<{ row: OutboxMail; raw: Buffer } | Pending>;
    try {
      items = await prepare(rows);
    } catch (err) {
      // Storing the rendered bytes failed (database): nothing was sent; the leases run out and the rows come back.
      logger.error({ event: 'outbox.record_error', rows: rows.length, err }, 'could not store rendered mail');
      return;
    }
    const count = (o: Outcome): void => {
      if (o !== 'none') result[o] += 1;
    };
    const toSend: Array<{ row: OutboxMail; raw: Buffer }> = [];
    const early: Array<Promise<Outcome>> = [];
    for (const item of items) {
      if ('type' in item) early.push(record(item));
      else toSend.push(item);
    }
    // `concurrency` senders; each takes its next row only after its last one is recorded, so at
    // most `concurrency` mails are ever out but not yet written down (the resends a crash can cause).
    let next = 0;
    const sender = async (): Promise<void> => {
      while (!stopped && next < toSend.length) {
        const item = toSend[next++]!;
        count(await sendOne(item.row, item.raw));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, toSend.length) }, sender));
    for (const o of await Promise.all(early)) count(o);
    if (next < toSend.length) {
      // Stopped with rows claimed but not attempted: due again at once, the attempt not counted.
      const left = toSend.slice(next).map((t) => t.row);
      try {
        repos.transaction(() => {
          for (const row of left) repos.outbox.unclaim(row.id, now());
        }, { durable: false });
      } catch (err) {
        logger.warn({ event: 'outbox.unclaim_failed', rows: left.length, err }, 'claimed mail keeps its lease until the next start');
      }
    }
  }

  function runOnce(): Promise<OutboxRunResult> {
    if (stopped) return Promise.resolve(EMPTY());
    if (!running) {
      running = pass().finally(() => {
        running = undefined;
      });
      return running;
    }
    // A pass is under way and may have claimed before the caller's row was committed: run one more
    // after it. Callers arriving meanwhile share that follow-up pass.
    followUp ??= running
      .catch(() => undefined)
      .then(() => {
        followUp = undefined;
        return runOnce();
      });
    return followUp;
  }

  function schedule(ms: number): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (!started || stopped) return;
    try {
      const r = await runOnce();
      if (r.sent + r.retried + r.failed > 0) logger.debug({ event: 'outbox.pass', ...r }, 'outbox pass done');
    } catch (err) {
      lastRunWasFull = false;
      logger.error({ event: 'outbox.pass_failed', err }, 'outbox pass failed');
    }
    const pause = yielded ? yieldPauseMs : lastRunWasFull ? 0 : intervalMs;
    yielded = false;
    if (started && !stopped && !timer) schedule(pause);
  }

  return {
    runOnce,
    start(ms: number) {
      if (stopped) throw new Error('outbox loop was stopped');
      if (started) return;
      if (!(ms > 0)) throw new RangeError('outbox interval must be positive');
      started = true;
      intervalMs = ms;
      logger.info({ event: 'outbox.started', intervalMs, batchSize, concurrency, transport: transport.kind }, 'outbox loop started');
      schedule(0);
    },
    wake() {
      if (!started || stopped) return;
      if (deps.yieldTo?.()) {
        if (!timer) schedule(yieldPauseMs);
        return;
      }
      schedule(0);
    },
    async stop() {
      if (stopped && !running && !followUp) return;
      stopped = true;
      started = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([running, followUp].filter((p): p is Promise<OutboxRunResult> => p !== undefined));
      logger.info({ event: 'outbox.stopped' }, 'outbox loop stopped');
    },
  };
}

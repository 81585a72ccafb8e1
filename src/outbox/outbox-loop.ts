import type { Logger } from 'pino';
import type { TidingsError } from '../errors.js';
import { componentLogger } from '../log/logger.js';
import { DEFAULT_CLAIM_LEASE_MS, type OutboxMail } from '../store/outbox-repository.js';
import type { Repositories } from '../store/repositories.js';
import { classifyDeliveryError, deliveryDetails, permanentDeliveryError } from './delivery-error.js';
import { parseOutboundMail, renderMail } from './render-mail.js';
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

  let stopped = false;
  let started = false;
  let intervalMs = 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<OutboxRunResult> | undefined;
  let followUp: Promise<OutboxRunResult> | undefined;
  let lastRunWasFull = false;

  const rowLog = (row: OutboxMail) => ({ outboxId: row.id, kind: row.kind, messageId: row.messageId, ticketId: row.ticketId, attempt: row.attempts });

  /** The stored bytes, or renders them now and stores them so every later attempt sends the same. */
  async function rawFor(row: OutboxMail): Promise<Buffer> {
    if (row.raw) return row.raw;
    const raw = await renderMail({ mail: parseOutboundMail(row.mail), messageId: row.messageId, blobs: repos.blobs });
    if (repos.outbox.setRaw(row.id, raw)) return raw;
    // Rendered by someone else in the meantime: theirs is the one that may already be out.
    return repos.outbox.getOutbox(row.id)?.raw ?? raw;
  }

  function recordSent(row: OutboxMail, receipt: SendReceipt | void): Outcome {
    const at = now();
    const rejected: RejectedRecipient[] = receipt ? receipt.rejected : [];
    const marked = repos.transaction(() => {
      if (!repos.outbox.markSent(row.id, at)) return false;
      const data: Record<string, unknown> = {
        outboxId: row.id,
        kind: row.kind,
        messageId: row.messageId,
        attempts: row.attempts,
        recipients: row.recipients.length,
      };
      if (receipt?.response) data.response = receipt.response;
      if (rejected.length) data.rejected = rejected;
      repos.events.recordEvent({ ticketId: row.ticketId, at, type: 'outbox.sent', data });
      if (rejected.length) {
        repos.events.recordEvent({
          ticketId: row.ticketId,
          at,
          type: 'outbox.recipients_rejected',
          data: { outboxId: row.id, messageId: row.messageId, rejected },
        });
      }
      if (row.kind === 'ack' && row.ticketId !== null) repos.tickets.markAckSent(row.ticketId, at);
      return true;
    });
    if (!marked) {
      logger.warn({ event: 'outbox.mark_conflict', ...rowLog(row) }, 'sent, but the row was no longer pending');
      return 'none';
    }
    logger.info({ event: 'outbox.sent', ...rowLog(row), recipients: row.recipients.length }, 'mail sent');
    if (rejected.length) {
      logger.warn(
        { event: 'outbox.recipients_rejected', ...rowLog(row), rejected: rejected.length, permanent: rejected.filter((r) => r.permanent).length },
        'some recipients refused the mail',
      );
    }
    return 'sent';
  }

  function recordFailed(row: OutboxMail, err: TidingsError, reason: 'permanent' | 'attempts_exhausted'): Outcome {
    const at = now();
    const d = deliveryDetails(err);
    const marked = repos.transaction(() => {
      if (!repos.outbox.markFailed(row.id, at, err.message)) return false;
      const data: Record<string, unknown> = { outboxId: row.id, kind: row.kind, messageId: row.messageId, attempts: row.attempts, reason, error: err.message };
      if (d.responseCode !== undefined) data.responseCode = d.responseCode;
      if (d.response !== undefined) data.response = d.response;
      if (d.code !== undefined) data.code = d.code;
      if (d.stage !== undefined) data.stage = d.stage;
      repos.events.recordEvent({ ticketId: row.ticketId, at, type: 'outbox.failed', data });
      return true;
    });
    if (!marked) return 'none';
    logger.error({ event: 'outbox.failed', ...rowLog(row), reason, err }, 'mail failed for good');
    return 'failed';
  }

  function recordRetry(row: OutboxMail, err: TidingsError): Outcome {
    if (row.attempts >= backoff.maxAttempts) return recordFailed(row, err, 'attempts_exhausted');
    const at = now();
    const base = retryDelayMs(row.attempts, backoff);
    const jittered = jitter(base, row.attempts);
    const delay = Number.isFinite(jittered) ? Math.max(0, Math.min(backoff.maxMs, Math.round(jittered))) : base;
    const nextAttemptAt = at + delay;
    const d = deliveryDetails(err);
    const marked = repos.transaction(() => {
      if (!repos.outbox.markRetry(row.id, nextAttemptAt, err.message)) return false;
      const data: Record<string, unknown> = { outboxId: row.id, kind: row.kind, messageId: row.messageId, attempt: row.attempts, nextAttemptAt, error: err.message };
      if (d.responseCode !== undefined) data.responseCode = d.responseCode;
      if (d.code !== undefined) data.code = d.code;
      repos.events.recordEvent({ ticketId: row.ticketId, at, type: 'outbox.retry', data });
      return true;
    });
    if (!marked) return 'none';
    logger.warn({ event: 'outbox.retry', ...rowLog(row), delayMs: delay, nextAttemptAt, err }, 'delivery failed, will retry');
    return 'retried';
  }

  async function deliver(row: OutboxMail): Promise<Outcome> {
    let raw: Buffer;
    try {
      if (row.recipients.length === 0) throw permanentDeliveryError('the row has no envelope recipients', { stage: 'render' });
      raw = await rawFor(row);
    } catch (err) {
      const e = classifyDeliveryError(err);
      return e.code === 'E_TRANSPORT_PERMANENT' ? recordFailed(row, e, 'permanent') : recordRetry(row, e);
    }
    let receipt: SendReceipt | void;
    try {
      receipt = await transport.send({ from: envelopeFrom, to: row.recipients }, raw, row.messageId);
    } catch (err) {
      const e = classifyDeliveryError(err);
      return e.code === 'E_TRANSPORT_PERMANENT' ? recordFailed(row, e, 'permanent') : recordRetry(row, e);
    }
    return recordSent(row, receipt);
  }

  async function deliverSafely(row: OutboxMail): Promise<Outcome> {
    try {
      return await deliver(row);
    } catch (err) {
      // A database error while recording: the row keeps its lease and is attempted again after it.
      logger.error({ event: 'outbox.record_error', ...rowLog(row), err }, 'could not record the delivery outcome');
      return 'none';
    }
  }

  async function pass(): Promise<OutboxRunResult> {
    const result = EMPTY();
    let claimed = 0;
    while (!stopped && claimed < batchSize) {
      const rows = repos.outbox.claimDue(now(), Math.min(concurrency, batchSize - claimed), leaseMs);
      if (rows.length === 0) break;
      claimed += rows.length;
      for (const outcome of await Promise.all(rows.map(deliverSafely))) if (outcome !== 'none') result[outcome] += 1;
    }
    lastRunWasFull = claimed >= batchSize;
    return result;
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
    if (started && !stopped && !timer) schedule(lastRunWasFull ? 0 : intervalMs);
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
      if (started && !stopped) schedule(0);
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

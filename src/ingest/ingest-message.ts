import { classifyMessage, type Classification, type SpamRule } from '../core/mail/classify.js';
import { verifyMessageId } from '../core/mail/message-id.js';
import { decideStaffAuth, type DkimSignatureResult, type StaffAuthDecision } from '../core/staff/staff-auth.js';
import { isTidingsError } from '../errors.js';
import { messageDigests } from '../mail/message-digests.js';
import { parseOnThisThread } from '../mail/on-this-thread.js';
import type { ParsedMessage } from '../mail/parse-message.js';
import { verifyDkim } from '../mail/verify-dkim.js';
import type { IngestOutcome, MessageHandler, PreparedBatch, SourceMessage, SourcePosition } from '../sources/mail-source.js';
import { handleClientMessage, threadFor } from './client-message.js';
import { dedupeKeys } from './dedupe-keys.js';
import { quarantineEntry } from './quarantine-entry.js';
import type { IngestDeps } from './ingest-deps.js';
import { inOurName, ownAddresses, staffAddresses } from './participants-of.js';
import { queueHeldMailNotice } from './held-mail-notice.js';
import { handleStaffMessage } from './staff-message.js';
import { queueStaffNotification } from './staff-notification.js';
import { storeMessage } from './store-message.js';

interface Routed extends IngestOutcome {
  kind: string;
  ackQueued?: boolean;
  /** Any mail was queued (ack, notification, relay, error): wake the outbox. */
  mailQueued?: boolean;
}

function spamRules(deps: IngestDeps): SpamRule[] {
  if (!deps.config.spam.quarantine) return [];
  return [
    { header: deps.config.spam.flag_header.toLowerCase(), pattern: /^\s*yes\b/i },
    { header: deps.config.spam.status_header.toLowerCase(), pattern: /^\s*yes\b/i },
  ];
}

/**
 * The pipeline every source feeds: parse (outside the transaction, it is async), then classify,
 * thread and store in ONE transaction together with the dedupe keys, events and outbox rows. The
 * source acknowledges the message only after this returns, so a crash at any point either leaves
 * the message unacknowledged (re-read, deduplicated) or fully stored.
 */
export interface IngestOptions {
  /**
   * Re-ingesting quarantine entry N (`tidings reprocess`): keys that point at that entry are not
   * duplicates, and spam verdicts are ignored because the admin released the message.
   */
  reprocessOf?: number;
}

export function createIngest(deps: IngestDeps): MessageHandler {
  return (raw, position) => ingestMessage(deps, raw, position);
}

/** A message parsed and classified outside any transaction, ready to commit; or why it cannot be parsed. */
type Prepared = { raw: Buffer; position: SourcePosition; options: IngestOptions; at: number; receivedAt: number } & (
  | { parsed: ParsedMessage; cls: Classification; keys: string[]; dkim: DkimSignatureResult[] | undefined }
  | { unparseable: { code: string; message: string } }
);

/** What one message's commit did; reported (logs, metrics, outbox wake) only after the outer commit. */
type Committed = { type: 'routed'; routed: Routed; cls: Classification } | { type: 'quarantined'; outcome: IngestOutcome; code: string };

export async function ingestMessage(deps: IngestDeps, raw: Buffer, position: SourcePosition, options: IngestOptions = {}): Promise<IngestOutcome> {
  const prepared = await prepareMessage(deps, raw, position, options);
  const committed = commitPrepared(deps, prepared);
  return report(deps, prepared, committed);
}

/**
 * Group commit: parses every message first (async, no transaction open), then stores them all in
 * ONE transaction, each inside its own savepoint so a message that cannot be stored is quarantined
 * without undoing the others. One fsync for the whole batch instead of one per message. Resolves
 * only after that commit, so the source may acknowledge every message of the batch; throws when
 * the transaction could not commit (nothing of the batch is stored then).
 */
export async function ingestBatch(deps: IngestDeps, messages: readonly SourceMessage[]): Promise<IngestOutcome[]> {
  return commitBatch(await prepareBatch(deps, messages));
}

interface Batch extends PreparedBatch {
  deps: IngestDeps;
  prepared: Prepared[];
}

/** The parsing half of ingestBatch; the deps in force now are the ones the commit uses. */
export async function prepareBatch(deps: IngestDeps, messages: readonly SourceMessage[]): Promise<PreparedBatch> {
  // All at once: with a mail thread, this thread is free meanwhile (commits, sends).
  const prepared = await Promise.all(messages.map((m) => prepareMessage(deps, m.raw, m.position, {})));
  const batch: Batch = { size: prepared.length, deps, prepared };
  return batch;
}

/** The storing half of ingestBatch: one transaction, synchronous. */
export function commitBatch(prepared: PreparedBatch, alsoInTransaction?: () => void): IngestOutcome[] {
  const { deps, prepared: items } = prepared as Batch;
  const committed = deps.repos.transaction(() => {
    const out = items.map((p) => commitPrepared(deps, p));
    alsoInTransaction?.();
    return out;
  });
  return items.map((p, i) => report(deps, p, committed[i]!));
}

async function prepareMessage(deps: IngestDeps, raw: Buffer, position: SourcePosition, options: IngestOptions): Promise<Prepared> {
  const at = deps.now();
  const receivedAt = Math.min(position.receivedAt ?? at, at);
  try {
    const parsed = await (deps.parse ?? parseOnThisThread)(raw, { maxBytes: deps.config.limits.max_message_bytes });
    const rules = options.reprocessOf !== undefined ? [] : spamRules(deps);
    const cls = classifyMessage(parsed.headers, { returnPath: parsed.returnPath, hasDeliveryStatus: parsed.hasDeliveryStatusPart }, { spamRules: rules });
    // Async like the parse, so here and not in the transaction; only mail in our own name needs it.
    const { staff } = deps.config;
    const sender = parsed.from?.address;
    const dkim = staff.require_auth && staff.verify === 'dkim' && sender !== undefined && inOurName(deps.config, sender) ? await verifyDkim(raw, { pinnedKeys: staff.dkim_keys, at }) : undefined;
    return { raw, position, options, at, receivedAt, parsed, keys: dedupeKeys(position, parsed.messageId, parsed.digests), cls, dkim };
  } catch (err) {
    if (isTidingsError(err, 'E_MESSAGE_TOO_LARGE') || isTidingsError(err, 'E_MESSAGE_UNPARSEABLE')) {
      return { raw, position, options, at, receivedAt, unparseable: { code: err.code, message: err.message } };
    }
    throw err;
  }
}

/**
 * Stores one prepared message in its own transaction (a savepoint inside a batch). Synchronous:
 * nothing may be awaited while a transaction is open. Temporary database failures are thrown;
 * anything else about the message quarantines it.
 */
function commitPrepared(deps: IngestDeps, p: Prepared): Committed {
  const { options, position, raw, at } = p;
  if ('unparseable' in p) {
    const u = p.unparseable;
    if (options.reprocessOf !== undefined) return { type: 'quarantined', outcome: { status: 'quarantined', quarantineId: options.reprocessOf }, code: u.code };
    return { type: 'quarantined', outcome: quarantine(deps, raw, position, at, u.code, u.message), code: u.code };
  }
  const { parsed, cls, keys } = p;
  const seen = (k: string): boolean => {
    const row = deps.repos.inboundKeys.getInboundKey(k);
    return row !== undefined && !(options.reprocessOf !== undefined && row.quarantineId === options.reprocessOf && row.messageId === null);
  };
  try {
    const routed = deps.repos.transaction((): Routed => {
      if (keys.some(seen)) {
        // Remember the other key too, so the next copy is caught by whichever key it shares.
        for (const k of keys) deps.repos.inboundKeys.tryInsertInboundKey(k, at);
        return { status: 'duplicate', kind: 'duplicate' };
      }
      const r = route(deps, parsed, raw, position, cls, p.dkim, options.reprocessOf !== undefined, p.receivedAt, at);
      const target = r.messageRowId !== undefined ? { messageId: r.messageRowId } : r.quarantineId !== undefined ? { quarantineId: r.quarantineId } : {};
      for (const k of keys) {
        if (!deps.repos.inboundKeys.tryInsertInboundKey(k, at, target)) deps.repos.inboundKeys.linkInboundKey(k, target);
      }
      if (options.reprocessOf !== undefined && r.status === 'stored') {
        deps.repos.quarantine.setStatus(options.reprocessOf, 'reprocessed', at);
        deps.repos.events.recordEvent({ ticketId: r.ticketId ?? null, at, type: 'quarantine.reprocessed', data: { quarantineId: options.reprocessOf, messageRowId: r.messageRowId ?? null } });
      }
      return r;
    });
    return { type: 'routed', routed, cls };
  } catch (err) {
    if (isTemporary(err)) throw err;
    // A message that cannot be stored for a reason that will not go away by itself (an address the
    // selection refuses, a bug) must not block the source forever: keep it whole, with the reason,
    // for `tidings reprocess` once the cause is fixed.
    const code = isTidingsError(err) ? err.code : 'E_INGEST_FAILED';
    if (options.reprocessOf !== undefined) return { type: 'quarantined', outcome: { status: 'quarantined', quarantineId: options.reprocessOf }, code };
    deps.logger.error({ event: 'ingest.failed', err, source: position.source, key: position.key }, 'message could not be stored; quarantining it');
    return { type: 'quarantined', outcome: quarantine(deps, raw, position, at, code, (err as Error).message), code };
  }
}

/** After the commit: the log line, metrics, and a wake for the outbox when mail was queued. */
function report(deps: IngestDeps, p: Prepared, c: Committed): IngestOutcome {
  const { position } = p;
  if (c.type === 'quarantined') {
    if (p.options.reprocessOf === undefined) {
      deps.logger.warn({ event: `ingest.${c.outcome.status}`, reason: c.code, source: position.source, key: position.key }, `message ${c.outcome.status}`);
      deps.onIngested?.({ status: c.outcome.status, class: 'unparseable' in p ? 'unparseable' : 'failed' });
    }
    return c.outcome;
  }
  const outcome = c.routed;
  deps.logger.info(
    { event: `ingest.${outcome.status}`, kind: outcome.kind, class: c.cls.kind, ticket: outcome.ticketId, source: position.source, key: position.key, ack: outcome.ackQueued ?? false },
    `message ${outcome.status}`,
  );
  if (outcome.ackQueued || outcome.mailQueued) deps.onOutboxEnqueued?.();
  deps.onIngested?.({ status: outcome.status, class: c.cls.kind });
  const result: IngestOutcome = { status: outcome.status };
  if (outcome.ticketId !== undefined) result.ticketId = outcome.ticketId;
  if (outcome.messageRowId !== undefined) result.messageRowId = outcome.messageRowId;
  if (outcome.quarantineId !== undefined) result.quarantineId = outcome.quarantineId;
  return result;
}

/** Failures worth retrying: the database busy, locked, full or failing I/O; anything else is about the message. */
function isTemporary(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT|READONLY)/.test(code);
}

function route(
  deps: IngestDeps,
  parsed: ParsedMessage,
  raw: Buffer,
  position: SourcePosition,
  cls: Classification,
  dkim: DkimSignatureResult[] | undefined,
  released: boolean,
  receivedAt: number,
  at: number,
): Routed {
  const { repos, config } = deps;
  const sender = parsed.from?.address;
  const store = (ticketId: number | null, kind: string, visibility: 'public' | 'internal' = 'public'): number =>
    storeMessage(repos, { ticketId, kind, visibility, parsed, raw, receivedAt });

  if (cls.kind === 'spam') {
    const id = repos.quarantine.add({ receivedAt: at, source: position.source, sourceKey: position.key || null, reasonCode: 'spam', reason: cls.reason, raw });
    repos.events.recordEvent({ at, type: 'message.quarantined', data: { quarantineId: id, reason: 'spam', detail: cls.reason } });
    return { status: 'quarantined', kind: 'spam', quarantineId: id };
  }

  if (cls.kind === 'bounce') return storeBounce(deps, parsed, store, cls, at);

  // Our own address as sender is a loop (a misconfigured forward, or our ack coming back).
  if (sender && ownAddresses(config).has(sender)) {
    const id = store(null, 'loop', 'internal');
    repos.events.recordEvent({ at, type: 'message.loop_dropped', data: { messageRowId: id } });
    return { status: 'stored', kind: 'loop', messageRowId: id };
  }

  if (cls.kind === 'automated') {
    // Automatic mail is kept with its ticket when it threads, never answered, never starts a clock.
    const decision = threadFor(deps, parsed, sender, false, at);
    const ticketId = decision.action === 'new' ? null : decision.ticketId;
    const id = store(ticketId, 'automated');
    repos.events.recordEvent({ ticketId, at, type: 'message.automated', actor: sender ?? null, data: { messageRowId: id, reason: cls.reason } });
    return ticketId === null ? { status: 'stored', kind: 'automated', messageRowId: id } : { status: 'stored', kind: 'automated', messageRowId: id, ticketId };
  }

  let staffAuthFailed: Extract<StaffAuthDecision, { trusted: false }> | undefined;
  if (sender && needsStaffAuth(config, sender)) {
    const auth = decideStaffAuth({
      requireAuth: config.staff.require_auth,
      authservId: config.staff.authserv_id,
      trustedHosts: config.staff.trusted_hosts,
      verify: config.staff.verify,
      from: sender,
      trace: parsed.trace,
      dkim,
    });
    if (auth.trusted && staffAddresses(config).has(sender)) {
      const r = handleStaffMessage(deps, { parsed, raw, sender, auth, receivedAt, at });
      const routed: Routed = { status: 'stored', kind: r.kind, messageRowId: r.messageRowId, mailQueued: r.mailQueued };
      if (r.ticketId !== undefined) routed.ticketId = r.ticketId;
      return routed;
    }
    if (!auth.trusted) {
      deps.logger.warn({ event: 'staff.auth_failed', reason: auth.reason, sender, released }, released ? 'mail in our own name failed authentication; released as a client message' : 'mail in our own name failed authentication; held');
      // Mail in our own name that our setup did not vouch for may be forged: answering it would
      // acknowledge to our own staff address, so it is held for a person to look at. Released by
      // the admin (`tidings reprocess`), it gets exactly what a stranger would get: a client
      // message, never a relay or a command, with the warning in the staff notification.
      if (!released) return holdUnauthenticated(deps, parsed, raw, position, sender, auth, at);
      staffAuthFailed = auth;
    }
  }

  if (!sender) {
    const id = repos.quarantine.add({ receivedAt: at, source: position.source, sourceKey: position.key || null, reasonCode: 'E_MESSAGE_UNPARSEABLE', reason: 'no From address to answer', raw });
    repos.events.recordEvent({ at, type: 'message.quarantined', data: { quarantineId: id, reason: 'no-sender' } });
    return { status: 'quarantined', kind: 'no-sender', quarantineId: id };
  }

  const warning = staffAuthFailed
    ? `The sender uses our own name but failed the authentication check (${staffAuthFailed.detail}); held, then released by the admin as a client message.`
    : undefined;
  const r = handleClientMessage(deps, { parsed, raw, sender, receivedAt, at, warning });
  if (staffAuthFailed) {
    repos.events.recordEvent({
      ticketId: r.ticketId,
      at,
      type: 'staff.auth_failed',
      actor: sender,
      data: { code: 'E_STAFF_AUTH_FAILED', reason: staffAuthFailed.reason, detail: staffAuthFailed.detail, messageRowId: r.messageRowId },
    });
  }
  return { status: 'stored', kind: `client.${r.action}`, ticketId: r.ticketId, messageRowId: r.messageRowId, ackQueued: r.ackQueued, mailQueued: r.notified };
}

/**
 * Staff addresses always need the check; other addresses in our own domains only once the desk
 * can authenticate anything (authserv_id or verify: dkim), so a desk without staff setup keeps
 * taking mail from colleagues as before.
 */
function needsStaffAuth(config: IngestDeps['config'], sender: string): boolean {
  if (staffAddresses(config).has(sender)) return true;
  return config.staff.require_auth && (config.staff.authserv_id !== undefined || config.staff.verify === 'dkim') && inOurName(config, sender);
}

/** Quarantines mail in our own name that failed the staff check, and tells the supervisors. */
function holdUnauthenticated(
  deps: IngestDeps,
  parsed: ParsedMessage,
  raw: Buffer,
  position: SourcePosition,
  sender: string,
  auth: Extract<StaffAuthDecision, { trusted: false }>,
  at: number,
): Routed {
  const { repos } = deps;
  const reason = `${sender} is in our own name but failed authentication (${auth.reason}: ${auth.detail})`;
  const id = repos.quarantine.add({ receivedAt: at, source: position.source, sourceKey: position.key || null, reasonCode: 'E_STAFF_AUTH_FAILED', reason, raw });
  repos.events.recordEvent({ at, type: 'staff.auth_failed', actor: sender, data: { code: 'E_STAFF_AUTH_FAILED', reason: auth.reason, detail: auth.detail, quarantineId: id } });
  repos.events.recordEvent({ at, type: 'message.quarantined', data: { quarantineId: id, reason: 'E_STAFF_AUTH_FAILED' } });
  const mailQueued = queueHeldMailNotice(deps, { parsed, sender, detail: auth.detail, quarantineId: id, at });
  return { status: 'quarantined', kind: 'staff-auth-failed', quarantineId: id, mailQueued };
}

/**
 * A bounce is filed with the ticket whose mail it returns (our signed Message-ID, else any
 * message we stored with that id), and a permanent failure marks the address undeliverable so
 * no further automatic mail goes there.
 */
function storeBounce(deps: IngestDeps, parsed: ParsedMessage, store: (t: number | null, kind: string, v?: 'public' | 'internal') => number, cls: Classification, at: number): Routed {
  const { repos } = deps;
  let ticketId: number | null = null;
  let returnedKind: string | undefined;
  const returned = parsed.returnedMessageId;
  if (returned) {
    const verified = verifyMessageId(returned, deps.hmacKeys);
    const row = repos.outbox.findByMessageId(returned);
    returnedKind = verified?.kind ?? row?.kind;
    if (verified && repos.tickets.findTicketByTid(verified.tid)) ticketId = verified.tid;
    else ticketId = row?.ticketId ?? repos.messages.findByMessageId(returned)[0]?.ticketId ?? null;
  }
  const id = store(ticketId, 'bounce', 'internal');
  const recipients = parsed.deliveryStatus?.recipients ?? [];
  const failed: string[] = [];
  for (const r of recipients) {
    if (!r.isPermanent || !r.address.includes('@')) continue;
    repos.undeliverable.mark({ address: r.address, status: r.status ?? '5.0.0', diagnostic: r.diagnosticCode ?? null, ticketId, at });
    failed.push(r.address);
  }
  repos.events.recordEvent({
    ticketId,
    at,
    type: 'bounce.received',
    data: { messageRowId: id, reason: cls.reason, returnedMessageId: returned ?? null, recipients: recipients.map((r) => ({ address: r.address, action: r.action ?? null, status: r.status ?? null })), undeliverable: failed },
  });
  // A staff answer that did not reach the client is the one bounce staff must hear about: the
  // client is waiting for it. Bounces of our automatic mail (acks, notifications) are only recorded.
  let mailQueued = false;
  // A delay notice ("still trying") is not a failure; a report whose recipients could not be read is treated as one.
  const bounced = recipients.filter((r) => r.isPermanent || r.action === 'failed');
  if (ticketId !== null && returnedKind === 'relay' && (bounced.length > 0 || recipients.length === 0)) {
    const ticket = repos.tickets.findTicketByTid(ticketId)!;
    const row = returned ? repos.outbox.findByMessageId(returned) : undefined;
    const author = row ? repos.events.listByTicket(ticketId).find((e) => e.type === 'staff.replied' && e.data.outboxId === row.id)?.actor : undefined;
    mailQueued = queueStaffNotification(deps, {
      ticket,
      event: 'relay-bounced',
      failed: bounced.map((r) => ({ address: r.address, status: r.status ?? null, diagnostic: r.diagnosticCode ?? null })),
      alsoTo: author ? [author] : [],
      at,
    });
  }
  return ticketId === null ? { status: 'stored', kind: 'bounce', messageRowId: id, mailQueued } : { status: 'stored', kind: 'bounce', messageRowId: id, ticketId, mailQueued };
}

/** Mail we cannot parse or must not process is kept whole, with the reason, for `tidings reprocess`. */
function quarantine(deps: IngestDeps, raw: Buffer, position: SourcePosition, at: number, code: string, reason: string): IngestOutcome {
  const keys = dedupeKeys(position, undefined, messageDigests(raw));
  return quarantineEntry(deps, { keys, entry: { receivedAt: at, source: position.source, sourceKey: position.key || null, reasonCode: code, reason, raw } });
}

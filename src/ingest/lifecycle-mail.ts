import { containsCredentials } from '../core/lifecycle/credentials.js';
import { renderBmpNote, renderClosingMail } from '../core/lifecycle/lifecycle-text.js';
import { makeMessageId } from '../core/mail/message-id.js';
import { formatTidTag, subjectWithTag } from '../core/mail/tid-tag.js';
import type { OutboundMail } from '../outbox/outbound-mail.js';
import { mailDomain } from './acknowledgement-mail.js';
import { automaticMailRefusal } from './automatic-mail-refusal.js';
import type { IngestDeps } from './ingest-deps.js';

type Deps = Pick<IngestDeps, 'config' | 'repos' | 'hmacKeys' | 'randomBytes'>;

const HOUR_MS = 3_600_000;

/** Whether any client message of the ticket carries access data (seed 4.3). */
export function threadHasCredentials(deps: Pick<IngestDeps, 'repos'>, tid: number): boolean {
  return deps.repos.messages
    .listByTicket(tid)
    .some((m) => m.direction === 'in' && m.kind === 'client' && containsCredentials(m.textBody ?? m.visibleText ?? ''));
}

function clientMail(deps: Deps, tid: number, kind: string, subject: string, text: string, to: string[], at: number): OutboundMail & { messageId: string } {
  const { config, repos } = deps;
  const lastClient = repos.messages
    .listByTicket(tid)
    .filter((m) => m.direction === 'in' && m.kind === 'client' && m.messageId !== null)
    .at(-1);
  const messageId = makeMessageId({ tid, kind, nonce: deps.randomBytes(10), domain: mailDomain(config) }, deps.hmacKeys[0]!);
  const mail: OutboundMail & { messageId: string } = {
    messageId,
    from: { address: config.mailbox.address, name: config.mailbox.name },
    to,
    subject,
    text,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Tidings-Ticket': String(tid) },
    date: at,
  };
  if (lastClient?.messageId) {
    mail.inReplyTo = lastClient.messageId;
    mail.references = [...(lastClient.references ?? []), lastClient.messageId].slice(-20);
  }
  return mail;
}

/**
 * The closing mail to the client's participants: asks for a rating and, when the thread holds
 * access data, reminds them to change it. Inside the caller's transaction. Skips addresses that may
 * get no automatic mail (automaticMailRefusal).
 */
export function queueClosingMail(deps: Deps, tid: number, at: number, o: { auto: boolean }): boolean {
  const { repos, config } = deps;
  const ticket = repos.tickets.findTicketByTid(tid);
  if (!ticket) return false;
  const participants = repos.participants.listParticipants(tid);
  const candidates = [...new Set([ticket.requester, ...participants.map((p) => p.address)])];
  const refusals = candidates.map((a) => automaticMailRefusal(deps, a));
  const to = candidates.filter((_, i) => refusals[i] === undefined);
  if (to.length === 0) {
    // The requester's reason: the one a reader of the ticket asks about.
    repos.events.recordEvent({ ticketId: tid, at, type: 'closing.suppressed', actor: 'tidings', data: { reason: refusals[0] ?? 'undeliverable' } });
    return false;
  }
  const credentials = threadHasCredentials(deps, tid);
  const lang = ticket.language === 'ru' ? 'ru' : 'en';
  const text = renderClosingMail({ lang, tag: formatTidTag(tid, config.tid.prefix), credentials, reopenDays: config.reopen_days, auto: o.auto });
  const subject = subjectWithTag(tid, ticket.subject, config.tid.prefix);
  const { messageId, ...mail } = clientMail(deps, tid, 'closing', subject, text, to, at);
  const outboxId = repos.outbox.enqueueOutbox({ ticketId: tid, kind: 'closing', messageId, recipients: to, subject, mail, at });
  repos.events.recordEvent({ ticketId: tid, at, type: 'closing.queued', actor: 'tidings', data: { outboxId, messageId, credentialReminder: credentials, auto: o.auto } });
  return true;
}

/** The polite note about a bare BMP screenshot (seed 4.7), to the sender; counted as an automatic answer. */
export function queueBmpNote(deps: Deps, tid: number, sender: string, at: number): boolean {
  const { repos, config } = deps;
  if (automaticMailRefusal(deps, sender) !== undefined) return false;
  if (repos.autoReplies.countSince(sender, at - HOUR_MS) >= config.limits.auto_replies_per_sender_per_hour) return false;
  const ticket = repos.tickets.findTicketByTid(tid);
  if (!ticket) return false;
  const lang = ticket.language === 'ru' ? 'ru' : 'en';
  const subject = subjectWithTag(tid, ticket.subject, config.tid.prefix);
  const { messageId, ...mail } = clientMail(deps, tid, 'bmp-note', subject, renderBmpNote({ lang, tag: formatTidTag(tid, config.tid.prefix) }), [sender], at);
  mail.headers = { ...mail.headers, 'Auto-Submitted': 'auto-replied' };
  const outboxId = repos.outbox.enqueueOutbox({ ticketId: tid, kind: 'bmp-note', messageId, recipients: [sender], subject, mail, at });
  repos.autoReplies.record(sender, at);
  repos.events.recordEvent({ ticketId: tid, at, type: 'bmp_note.queued', actor: 'tidings', data: { outboxId, messageId } });
  return true;
}

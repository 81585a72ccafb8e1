import { makeMessageId } from '../core/mail/message-id.js';
import { formatTidTag, subjectWithTag } from '../core/mail/tid-tag.js';
import { renderCommandError, type CommandErrorKind } from '../core/templates/command-error.js';
import type { ParsedMessage } from '../mail/parse-message.js';
import type { OutboundMail } from '../outbox/outbound-mail.js';
import type { Ticket } from '../store/ticket-repository.js';
import { mailDomain } from './acknowledgement-mail.js';
import type { IngestDeps } from './ingest-deps.js';
import { staffLanguage } from './staff-recipients.js';

const HOUR_MS = 3_600_000;

/**
 * Tells a staff member their message was refused (unknown command or level, no ticket, nothing to
 * relay). Only ever for mail that passed the staff check. Automatic mail: Auto-Submitted:
 * auto-generated, capped per hour because a staff auto-responder answering it would otherwise get
 * another error back for every answer. The cap is the staff budget
 * (limits.command_errors_per_staff_per_hour), apart from the client one: acknowledgements to mail
 * that merely used the staff address never spend it. Returns whether a mail was queued.
 */
export function queueCommandError(
  deps: IngestDeps,
  e: { ticket: Ticket | undefined; to: string; kind: CommandErrorKind; code: string; error?: string; parsed: ParsedMessage; at: number },
): boolean {
  const { repos, config } = deps;
  const ticketId = e.ticket?.tid ?? null;
  const suppress = (reason: string): false => {
    repos.events.recordEvent({ ticketId, at: e.at, type: 'command_error.suppressed', actor: e.to, data: { code: e.code, reason } });
    return false;
  };
  if (repos.undeliverable.isUndeliverable(e.to)) return suppress('undeliverable');
  if (repos.autoReplies.countStaffSince(e.to, e.at - HOUR_MS) >= config.limits.command_errors_per_staff_per_hour) return suppress('rate-limit');

  const lang = staffLanguage(config);
  const text = renderCommandError({
    lang,
    kind: e.kind,
    tag: e.ticket ? formatTidTag(e.ticket.tid, config.tid.prefix) : undefined,
    error: e.error,
    levels: Object.keys(config.levels),
    staff: config.staff.members.map((m) => m.key),
  });
  const prefix = lang === 'ru' ? 'Не выполнено' : 'Not carried out';
  const subject = e.ticket ? subjectWithTag(e.ticket.tid, `${prefix}: ${e.ticket.subject}`, config.tid.prefix) : `${prefix}: ${e.parsed.subject}`.trim();
  const nonce = deps.randomBytes(10);
  // A mail without a ticket cannot carry a ticket-signed id; a random one is enough, nothing threads by it.
  const messageId = e.ticket
    ? makeMessageId({ tid: e.ticket.tid, kind: 'command-error', nonce, domain: mailDomain(config) }, deps.hmacKeys[0]!)
    : `tidings-error.${Buffer.from(nonce).toString('hex')}@${mailDomain(config)}`;
  const mail: OutboundMail = {
    from: { address: config.mailbox.address, name: config.mailbox.name },
    to: [e.to],
    replyTo: config.mailbox.address,
    subject,
    text,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', ...(e.ticket ? { 'X-Tidings-Ticket': String(e.ticket.tid) } : {}) },
    date: e.at,
  };
  if (e.parsed.messageId) {
    mail.inReplyTo = e.parsed.messageId;
    mail.references = [...e.parsed.references, e.parsed.messageId].slice(-20);
  }
  const outboxId = repos.outbox.enqueueOutbox({ ticketId, kind: 'command-error', messageId, recipients: [e.to], subject, mail, at: e.at });
  repos.autoReplies.recordStaff(e.to, e.at);
  repos.events.recordEvent({ ticketId, at: e.at, type: 'command_error.queued', actor: 'tidings', data: { code: e.code, outboxId, messageId } });
  return true;
}

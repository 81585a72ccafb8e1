import { maskCredentials } from '../core/lifecycle/credentials.js';
import { makeMessageId } from '../core/mail/message-id.js';
import { formatTidTag, subjectWithTag } from '../core/mail/tid-tag.js';
import type { AckHoldNotice } from '../core/templates/ack-hold-text.js';
import { renderStaffNotification, type NotificationEvent } from '../core/templates/staff-notification.js';
import type { RejectedCoupon } from '../core/selection/selection-result.js';
import type { ParsedMessage } from '../mail/parse-message.js';
import type { OutboundMail } from '../outbox/outbound-mail.js';
import type { Ticket } from '../store/ticket-repository.js';
import { mailDomain } from './acknowledgement-mail.js';
import type { IngestDeps } from './ingest-deps.js';
import { notificationRecipients, staffLanguage } from './staff-recipients.js';

const HOUR_MS = 3_600_000;

export interface NotificationRequest {
  ticket: Ticket;
  event: NotificationEvent;
  /** The client message the notification is about (new ticket, client message). */
  message?: ParsedMessage | undefined;
  /** Shown above everything else, e.g. a failed staff authentication. */
  warning?: string | undefined;
  /** A VIP coupon the new ticket's message carried and did not get; staff see whose it is. */
  couponRejected?: RejectedCoupon | undefined;
  /** The acknowledgement of this message was held back, and why. */
  ackHeld?: AckHoldNotice | undefined;
  /** A bounced relay: who failed, and the staff member who wrote it (notified besides the usual recipients). */
  failed?: { address: string; status: string | null; diagnostic: string | null }[] | undefined;
  alsoTo?: string[] | undefined;
  at: number;
}

/**
 * Queues a notification to staff inside the ingest transaction. Returns whether a mail was queued.
 * Notifications are automatic mail (Auto-Submitted: auto-generated) with Reply-To the support
 * mailbox and our signed Message-ID, so a staff member's reply comes back to us and threads to the
 * ticket even if the subject loses its tag. Capped per ticket and hour (staff.notify) because two
 * auto-responders that ignore Auto-Submitted, one a client's and one a staff member's, would
 * otherwise answer each other through us without end.
 */
export function queueStaffNotification(deps: IngestDeps, r: NotificationRequest): boolean {
  const { repos, config } = deps;
  const { ticket, at } = r;
  const skip = (reason: string): false => {
    repos.events.recordEvent({ ticketId: ticket.tid, at, type: 'notify.suppressed', actor: 'tidings', data: { event: r.event, reason } });
    return false;
  };
  const recipients = [...new Set([...notificationRecipients(config, ticket), ...(r.alsoTo ?? []).map((a) => a.toLowerCase())])];
  if (recipients.length === 0) return skip('no-recipients');
  if (repos.outbox.countForTicketSince(ticket.tid, 'notification', at - HOUR_MS) >= config.staff.notify.per_ticket_per_hour) return skip('rate-limit');

  const lang = staffLanguage(config);
  const lc = deps.levels.level(ticket.level);
  const licence = ticket.licenceKey ? config.licences.find((l) => l.key === ticket.licenceKey) : undefined;
  const participants = repos.participants.listParticipants(ticket.tid);
  const m = r.message;
  const fromAddress = m?.from?.address ?? ticket.requester;
  const text = renderStaffNotification({
    lang,
    event: r.event,
    tag: formatTidTag(ticket.tid, config.tid.prefix),
    ticketSubject: ticket.subject,
    from: { address: fromAddress, name: m?.from?.name ?? (fromAddress === ticket.requester ? (ticket.requesterName ?? '') : '') },
    level: { key: lc.key, name: (lang === 'ru' ? lc.name.ru : undefined) ?? lc.name.en },
    deadlineMs: ticket.status === 'closed' ? null : ticket.responseDueAt,
    zone: lc.zone,
    licence: licence ? { key: licence.key, owner: licence.owner } : undefined,
    cc: participants.filter((p) => p.address !== fromAddress).map((p) => p.address),
    attachments: (m?.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
    // Access data the client sent stays in the ticket, not in staff mailboxes (seed 4.3).
    text: maskCredentials(m?.visibleText ?? ''),
    warning: r.warning,
    couponRefused: r.couponRejected ? { text: r.couponRejected.text[lang], belongsTo: r.couponRejected.belongsTo } : undefined,
    ackHeld: r.ackHeld,
    failed: r.failed,
    mailbox: config.mailbox.address,
  });
  const subject = subjectWithTag(ticket.tid, ticket.subject, config.tid.prefix);
  const messageId = makeMessageId({ tid: ticket.tid, kind: 'notify', nonce: deps.randomBytes(10), domain: mailDomain(config) }, deps.hmacKeys[0]!);
  const mail: OutboundMail = {
    from: { address: config.mailbox.address, name: config.mailbox.name },
    to: recipients,
    replyTo: config.mailbox.address,
    subject,
    text,
    headers: {
      'Auto-Submitted': 'auto-generated',
      // Outlook and Exchange honour this and send no out-of-office answer to the notification.
      'X-Auto-Response-Suppress': 'All',
      'X-Tidings-Ticket': String(ticket.tid),
      'X-Tidings-Event': r.event,
    },
    date: at,
  };
  const outboxId = repos.outbox.enqueueOutbox({ ticketId: ticket.tid, kind: 'notification', messageId, recipients, subject, mail, at });
  repos.events.recordEvent({ ticketId: ticket.tid, at, type: 'notify.queued', actor: 'tidings', data: { event: r.event, outboxId, messageId, recipients: recipients.length } });
  return true;
}

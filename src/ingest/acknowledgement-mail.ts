import type { LevelClock, ServiceLevels } from '../app/service-levels.js';
import type { Config } from '../config/config.js';
import { describeWorkingHours, type Language } from '../core/calendar/describe-hours.js';
import { makeMessageId } from '../core/mail/message-id.js';
import { formatTidTag, subjectWithTag } from '../core/mail/tid-tag.js';
import type { LevelSelection } from '../core/selection/selection-result.js';
import { renderAcknowledgement } from '../core/templates/acknowledgement.js';
import type { OutboundMail } from '../outbox/outbound-mail.js';

export interface AckInput {
  tid: number;
  originalSubject: string;
  to: { address: string; name: string };
  lang: Language;
  level: LevelClock;
  deadlineMs: number;
  selection: LevelSelection | undefined;
  /** The ticket's licence, named in the acknowledgement (also on a reopened ticket, which has no fresh selection). */
  licenceKey: string | null;
  replyTo: { messageId: string | undefined; references: string[] };
  at: number;
}

export interface BuiltMail {
  messageId: string;
  subject: string;
  mail: OutboundMail;
}

export function mailDomain(config: Config): string {
  return config.mailbox.address.slice(config.mailbox.address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * The acknowledgement (seed 4.4-4.5, 4.12). RFC 3834 headers mark it as an automatic reply so a
 * well-behaved responder on the other side does not answer it, which is half of loop prevention.
 */
export function buildAcknowledgement(a: AckInput, deps: { config: Config; levels: ServiceLevels; hmacKey: Buffer; nonce: Uint8Array }): BuiltMail {
  const { config } = deps;
  const cal = a.level.calendar ?? deps.levels.defaultCalendar;
  const calSpec = cal ? config.calendarSpecs[cal.key] : undefined;
  const subject = subjectWithTag(a.tid, a.originalSubject, config.tid.prefix);
  const licence = a.licenceKey === null ? undefined : config.licences.find((l) => l.key === a.licenceKey);
  const reason = a.selection?.reason.tellClient ? a.selection.reason.text[a.lang] : undefined;
  const text = renderAcknowledgement({
    lang: a.lang,
    tag: formatTidTag(a.tid, config.tid.prefix),
    subject,
    requesterName: a.to.name || undefined,
    levelName: (a.lang === 'ru' ? a.level.name.ru : undefined) ?? a.level.name.en,
    licence: licence ? { key: licence.key, owner: licence.owner } : undefined,
    clock: a.level.term.clock,
    deadlineMs: a.deadlineMs,
    zone: a.level.zone,
    workingHours: calSpec ? describeWorkingHours(calSpec, a.lang) : undefined,
    reason,
    coupon: a.selection?.coupon,
    couponRefused: a.selection?.couponRejected?.text[a.lang],
    signature: config.mailbox.name,
  });
  const messageId = makeMessageId({ tid: a.tid, kind: 'ack', nonce: deps.nonce, domain: mailDomain(config) }, deps.hmacKey);
  const references = [...a.replyTo.references, ...(a.replyTo.messageId ? [a.replyTo.messageId] : [])].slice(-20);
  const mail: OutboundMail = {
    from: { address: config.mailbox.address, name: config.mailbox.name },
    to: [a.to.address],
    subject,
    text: text.text,
    headers: {
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Tidings-Ticket': String(a.tid),
    },
    date: a.at,
  };
  if (a.replyTo.messageId) mail.inReplyTo = a.replyTo.messageId;
  if (references.length) mail.references = references;
  return { messageId, subject, mail };
}

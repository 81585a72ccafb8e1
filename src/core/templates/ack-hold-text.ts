import type { Language } from '../calendar/describe-hours.js';

/** Why an acknowledgement was held back, as the `ack.suppressed` event records it. */
export interface AckHoldNotice {
  /** repeat, flood, undeliverable, dotless-domain; older databases also hold rate-limit. */
  reason: string;
  /** The limit reached, for repeat and flood. */
  limit?: number | undefined;
}

/**
 * One clause saying why the client got no acknowledgement, for staff (notification, `tidings
 * show`). An unknown reason code is shown as it is, so a new hold is never hidden.
 */
export function ackHoldText(lang: Language, h: AckHoldNotice): string {
  const n = h.limit ?? 0;
  if (lang === 'ru') {
    switch (h.reason) {
      case 'repeat':
        return n > 1
          ? `тот же запрос (тема и текст) от этого отправителя уже подтверждён ${n} раз в течение часа: повторная отправка или петля автоответчика`
          : 'тот же запрос (тема и текст) от этого отправителя уже подтверждён в течение часа: повторная отправка или петля автоответчика';
      case 'flood':
        return `этот отправитель уже получил ${n} подтверждений в течение часа (limits.acks_per_sender_per_hour)`;
      case 'undeliverable':
        return 'адрес помечен как недоставляемый: прежнее письмо на него вернулось';
      case 'dotless-domain':
        return 'домен адреса без точки (внутренний хост): автоматические письма туда не отправляются (limits.auto_reply_dotless_domains)';
      case 'rate-limit':
        return 'часовой предел автоматических ответов этому отправителю';
      default:
        return h.reason;
    }
  }
  switch (h.reason) {
    case 'repeat':
      return n > 1
        ? `the same request (subject and text) from this sender was already acknowledged ${n} times within the hour: a resend or an auto-responder loop`
        : 'the same request (subject and text) from this sender was already acknowledged within the hour: a resend or an auto-responder loop';
    case 'flood':
      return `this sender already got ${n} acknowledgements within the hour (limits.acks_per_sender_per_hour)`;
    case 'undeliverable':
      return 'the address is marked undeliverable: an earlier mail to it bounced';
    case 'dotless-domain':
      return 'the address has a domain without a dot (an intranet host): no automatic mail goes there (limits.auto_reply_dotless_domains)';
    case 'rate-limit':
      return 'the hourly cap on automatic answers to this sender';
    default:
      return h.reason;
  }
}

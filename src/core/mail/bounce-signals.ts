import { clip, fromMailSystem } from './automated-signals.js';
import { parseContentType } from './content-type.js';
import { firstHeader, hasHeader, type MailHeaders } from './mail-headers.js';

/**
 * Subjects of non-standard bounces (no delivery-status part) from the common MTAs and providers.
 * Only trusted together with a mail-system sender or a null Return-Path: a person may well write
 * "my mail was returned" in a subject.
 */
const BOUNCE_SUBJECT = new RegExp(
  [
    'undeliver', // Undelivered Mail Returned to Sender (Postfix), Undeliverable: (Exchange)
    'delivery status notification',
    'returned mail',
    'mail delivery (?:failed|failure|problem|system)',
    'delivery (?:failure|has failed|failed|notification)',
    'failure notice', // qmail
    'non[- ]?delivery',
    'could not be delivered',
    'message not delivered',
    'could not send',
    'mail (?:failed|failure)', // "mail failed, returning to sender", "Mail failure - malformed recipient address"
    '(?:failed|failure) delivery',
    'error sending your mail',
    'delayed mail|message .{0,80} delayed', // delay warnings are delivery reports too, just not final
    '配信できません|メールエラー|配送エラー', // Japanese carriers and gateways
    'nicht zustellbar|unzustellbar', // German
    'non remis|non distribu', // French
    'не доставлено|недоставлен|не может быть доставлено', // Russian
  ].join('|'),
  'iu',
);

/**
 * Why a message is a bounce (a report that our mail was not delivered), or undefined.
 * `hasDeliveryStatus` says whether the parser found a message/delivery-status part anywhere.
 */
export function bounceReason(
  headers: MailHeaders,
  hasDeliveryStatus: boolean,
  returnPath: string | undefined,
  sender: string | undefined,
): string | undefined {
  const contentType = parseContentType(firstHeader(headers, 'content-type'));
  const reportType = contentType.params['report-type']?.toLowerCase();
  if (contentType.type === 'multipart/report' && (reportType === 'delivery-status' || reportType === 'global-delivery-status')) {
    return `multipart/report; report-type=${reportType}`;
  }
  if (hasDeliveryStatus) return 'message/delivery-status part';
  // Exim adds this header only to the bounces it generates.
  if (hasHeader(headers, 'x-failed-recipients')) return `X-Failed-Recipients: ${clip(firstHeader(headers, 'x-failed-recipients') ?? '')}`;
  const subject = firstHeader(headers, 'subject') ?? '';
  if (fromMailSystem(returnPath, sender) && BOUNCE_SUBJECT.test(subject)) return `bounce subject from a mail system: ${clip(subject)}`;
  return undefined;
}

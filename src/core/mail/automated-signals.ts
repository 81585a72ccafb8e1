import { extractAddress, localPart } from './address.js';
import { parseContentType } from './content-type.js';
import { firstHeader, hasHeader, headerValues, type MailHeaders } from './mail-headers.js';

/**
 * Why a message was written by a program rather than a person, or undefined. We must never answer
 * such mail automatically (RFC 3834): at best the answer is noise, at worst two robots loop.
 *
 * Decisions beyond the RFCs:
 * - List-Unsubscribe (and every other RFC 2369 List-* field) counts like List-Id. Mail a person
 *   writes in a mail client never carries it; bulk senders must (RFC 8058, the big mailbox
 *   providers' sender rules), often without List-Id.
 * - A multipart/report that is not a delivery report (feedback/abuse reports, read receipts) is
 *   machine-written; delivery reports are bounces and are caught before this runs.
 * - X-Auto-Response-Suppress counts only when it asks to suppress auto-replies (All, OOF, AutoReply,
 *   [MS-OXCMAIL] 2.2.3.2.14). Its other tokens (DR, NDR, RN, NRN) only turn off receipts, which our
 *   acknowledgement is not, and a person's Outlook may set them.
 * - X-Autoreply, X-Autorespond and their relatives count with any value: only responders add them.
 *   So does X-Apple-Action: VACATION (iCloud's vacation reply sets nothing standard).
 * - A subject starting "Auto reply:", "Automatic reply:", "Out of office", "Автоответ"... counts:
 *   a person does not write that, and answering a vacation reply is how loops start.
 * - A From or Return-Path local part of noreply / no-reply / donotreply counts: the address says no
 *   one reads it, so an answer would bounce or vanish. Web forms that send as noreply@ with the
 *   visitor in Reply-To still get a ticket; staff answer it by hand.
 */
export function automatedReason(headers: MailHeaders, returnPath: string | undefined, sender: string | undefined): string | undefined {
  for (const value of headerValues(headers, 'auto-submitted')) {
    // The keyword may carry parameters or a comment: "auto-generated (failure)", "auto-replied; owner-email=...".
    const keyword = value.trim().toLowerCase().split(/[\s;(]/)[0] ?? '';
    if (keyword !== 'no') return `Auto-Submitted: ${clip(value)}`;
  }
  for (const value of headerValues(headers, 'precedence')) {
    const keyword = value.trim().toLowerCase();
    if (['bulk', 'junk', 'list', 'auto_reply', 'auto-reply'].includes(keyword)) return `Precedence: ${clip(value)}`;
  }
  if (hasHeader(headers, 'list-id')) return `List-Id: ${clip(firstHeader(headers, 'list-id') ?? '')}`;
  for (const name of LIST_HEADERS) {
    if (hasHeader(headers, name)) return `${name} present`;
  }
  const report = parseContentType(firstHeader(headers, 'content-type'));
  if (report.type === 'multipart/report') return `multipart/report; report-type=${report.params['report-type'] ?? '(none)'}`;
  for (const name of RESPONDER_HEADERS) {
    if (hasHeader(headers, name)) return `${name} present`;
  }
  if (headerValues(headers, 'x-apple-action').some((v) => /vacation/i.test(v))) return 'X-Apple-Action: vacation';
  for (const value of headerValues(headers, 'x-auto-response-suppress')) {
    const tokens = value.toLowerCase().split(/[\s,;]+/);
    if (tokens.some((t) => t === 'all' || t === 'oof' || t === 'autoreply')) return `X-Auto-Response-Suppress: ${clip(value)}`;
  }
  const subject = firstHeader(headers, 'subject') ?? '';
  if (AUTO_REPLY_SUBJECT.test(subject)) return `auto-reply subject: ${clip(subject)}`;
  // Microsoft's junk-mail reporting program (JMRP) sends complaints as plain multipart/mixed from
  // this one address, without any machine marker; answering them would only reach a robot.
  if (sender === 'staff@hotmail.com' && /^\s*complaint about message from/i.test(subject)) return 'Microsoft JMRP complaint';
  if (returnPath === '') return 'null Return-Path (<>)';
  if (returnPath !== undefined && isSystemMailbox(returnPath)) return `Return-Path ${returnPath} is a mail system address`;
  if (sender !== undefined && isSystemMailbox(sender)) return `sender ${sender} is a mail system address`;
  if (sender !== undefined && isNoReply(sender)) return `sender ${sender} is a no-reply address`;
  if (returnPath !== undefined && isNoReply(returnPath)) return `Return-Path ${returnPath} is a no-reply address`;
  return undefined;
}

// RFC 2369 list fields: a person's mail client never adds them, list servers always add some.
// X-MLServer is fml's (a list server still common in Japan) marker on list mail and list notices.
const LIST_HEADERS = ['list-unsubscribe', 'list-subscribe', 'list-post', 'list-help', 'list-owner', 'list-archive', 'x-mlserver'];

/**
 * Subjects that vacation and auto-reply programs write in front of the original subject. A person
 * does not start a subject with "Automatic reply:", and a missed answer costs less than a loop.
 */
const AUTO_REPLY_SUBJECT =
  /^\s*(?:auto(?:matic)?[ -]?(?:reply|response|answer)|autoreply|out of (?:the )?office|abwesenheitsnotiz|r[ée]ponse automatique|автоответ|автоматический ответ)(?![\p{L}\p{N}])/iu;

const RESPONDER_HEADERS = ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-autogenerated', 'x-autoreply-from', 'x-mail-autoreply'];

/** MAILER-DAEMON, postmaster and friends (RFC 5321 4.5.1; RFC 3834 5.1). */
export function isSystemMailbox(address: string): boolean {
  return /^(?:mailer[-_.]?daemon|mail[-_.]?daemon|post[-_.]?master|mail[-_.]?delivery[-_.]?subsystem)$/i.test(localPart(address));
}

export function isNoReply(address: string): boolean {
  return /^(?:no|do[-_.]?not|dont)[-_.]?reply(?:[-_.+].*)?$/i.test(localPart(address));
}

/** The mailbox of the From header, lower case; may lack a domain (`mailer-daemon`). */
export function senderOf(headers: MailHeaders): string | undefined {
  const from = firstHeader(headers, 'from');
  const address = extractAddress(from);
  // "From: MAILER-DAEMON <>": the empty brackets say nothing, the name in front says who wrote it.
  if (address === '' && from !== undefined) return extractAddress(from.replace(/<[^<>]*>/g, ' ')) || undefined;
  return address;
}

/** Mail from a mail system: null or MAILER-DAEMON Return-Path, or a MAILER-DAEMON/postmaster From. */
export function fromMailSystem(returnPath: string | undefined, sender: string | undefined): boolean {
  return returnPath === '' || (returnPath !== undefined && isSystemMailbox(returnPath)) || (sender !== undefined && isSystemMailbox(sender));
}

export function clip(value: string): string {
  const one = value.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
}

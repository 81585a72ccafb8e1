import { firstMessageId } from './message-id-list.js';
import { parseHeaderBlock, parseHeaderFields, splitBlocks } from './header-block.js';
import { headerValues, type MailHeaders } from './mail-headers.js';

/**
 * RFC 3464 delivery-status reports (and their RFC 6533 UTF-8 form, message/global-delivery-status):
 * one block of per-message fields, then one block per recipient, separated by empty lines.
 */

export interface DeliveryRecipient {
  /**
   * The address to act on: Final-Recipient, or Original-Recipient when the final one is missing.
   * Lower case. Callers matching the address we sent to should compare both fields below, since
   * an alias or forward makes them differ. Not always a mail address: exim reports a local
   * delivery as the pipe or file it failed on; such a value simply matches none of ours.
   */
  address: string;
  finalRecipient?: string;
  originalRecipient?: string;
  /** failed, delayed, delivered, relayed, expanded (lower case). */
  action?: string;
  /** x.y.z, from Status, or from the Diagnostic-Code when Status is missing or malformed. */
  status?: string;
  diagnosticCode?: string;
  remoteMta?: string;
  /** A 5.x.x status on a failed (or unlabelled) recipient: the address will not work if tried again. */
  isPermanent: boolean;
}

export interface DeliveryStatusReport {
  reportingMta?: string;
  arrivalDate?: string;
  recipients: DeliveryRecipient[];
}

const RECIPIENT_FIELDS = new Set(['final-recipient', 'original-recipient', 'action', 'status', 'diagnostic-code', 'remote-mta', 'last-attempt-date', 'will-retry-until']);
const STATUS = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/;
// Bounds the work a hostile report can cause; real reports list a handful of recipients.
const MAX_RECIPIENTS = 1000;

/**
 * Parses a delivery-status body. Tolerant of what real MTAs send: missing blank lines between
 * recipients (a repeated field starts the next one), Original-Recipient before or after
 * Final-Recipient, folded Diagnostic-Code lines. Blocks without a recipient address are dropped.
 */
export function parseDeliveryStatus(text: string): DeliveryStatusReport {
  const report: DeliveryStatusReport = { recipients: [] };
  for (const block of splitBlocks(text)) {
    let fields: Map<string, string> | undefined;
    const flush = (): void => {
      const recipient = fields === undefined ? undefined : toRecipient(fields);
      if (recipient !== undefined && report.recipients.length < MAX_RECIPIENTS) report.recipients.push(recipient);
      fields = undefined;
    };
    for (const { name, value } of parseHeaderFields(block)) {
      if (RECIPIENT_FIELDS.has(name)) {
        if (fields?.has(name) === true) flush();
        (fields ??= new Map()).set(name, value);
      } else if (name === 'reporting-mta') {
        report.reportingMta ??= stripType(value);
      } else if (name === 'arrival-date') {
        report.arrivalDate ??= value;
      }
    }
    flush();
  }
  return report;
}

/** True for an x.y.z status of class 5 (permanent failure, RFC 3463). */
export function isPermanentStatus(status: string | undefined): boolean {
  return status !== undefined && STATUS.exec(status)?.[1] === '5';
}

/**
 * The Message-ID of the message a bounce returns, read from its text/rfc822-headers or
 * message/rfc822 part (only the header block is looked at). Without angle brackets.
 */
export function originalMessageIdFromHeaders(returned: string): string | undefined {
  const id = parseHeaderBlock(returned)['message-id']?.[0];
  return firstMessageId(id);
}

/**
 * A `Message-ID:` line quoted in a bounce's text, for non-standard bounces that paste the returned
 * headers into the body (exim "This is a copy of the message, including all the headers").
 */
export function originalMessageIdFromText(text: string): string | undefined {
  const m = /^[ \t>]*Message-ID:[ \t]*(<[^<>\s]+>)/im.exec(text);
  return m === null ? undefined : firstMessageId(m[1]);
}

/**
 * The addresses in exim's X-Failed-Recipients header: the only recipient list a non-standard exim
 * bounce has. Whether the failure is permanent is not stated, so callers should not mark these
 * addresses undeliverable on this alone.
 */
export function failedRecipientsFromHeaders(headers: MailHeaders): string[] {
  const found = headerValues(headers, 'x-failed-recipients').flatMap((v) => v.split(/[\s,]+/));
  return [...new Set(found.map((a) => a.replace(/^<|>$/g, '').toLowerCase()).filter((a) => /^[^@\s]+@[^@\s]+$/.test(a)))];
}

function toRecipient(fields: Map<string, string>): DeliveryRecipient | undefined {
  const finalRecipient = addressOf(fields.get('final-recipient'));
  const originalRecipient = addressOf(fields.get('original-recipient'));
  const address = finalRecipient ?? originalRecipient;
  if (address === undefined) return undefined;
  const action = fields.get('action')?.trim().toLowerCase().split(/[\s(;]/)[0] || undefined;
  const diagnosticCode = optional(stripType(fields.get('diagnostic-code') ?? ''));
  const status = statusOf(fields.get('status')) ?? statusOf(diagnosticCode);
  const recipient: DeliveryRecipient = {
    address,
    isPermanent: isPermanentStatus(status) && (action === undefined || action === 'failed'),
  };
  if (finalRecipient !== undefined) recipient.finalRecipient = finalRecipient;
  if (originalRecipient !== undefined) recipient.originalRecipient = originalRecipient;
  if (action !== undefined) recipient.action = action;
  if (status !== undefined) recipient.status = status;
  if (diagnosticCode !== undefined) recipient.diagnosticCode = diagnosticCode;
  const remoteMta = optional(stripType(fields.get('remote-mta') ?? ''));
  if (remoteMta !== undefined) recipient.remoteMta = remoteMta;
  return recipient;
}

function statusOf(value: string | undefined): string | undefined {
  const m = value === undefined ? null : STATUS.exec(value);
  return m === null ? undefined : `${m[1]}.${m[2]}.${m[3]}`;
}

/** `rfc822; <User@Host>` gives `user@host`; RFC 6533 `\x{...}` escapes are decoded. */
function addressOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bare = stripType(value)
    .replace(/\\x\{([0-9a-f]{1,6})\}/gi, (_, hex: string) => safeCodePoint(parseInt(hex, 16)))
    .replace(/^<(.*)>$/, '$1')
    .trim()
    .toLowerCase();
  return bare === '' ? undefined : bare;
}

/** Drops the `type;` in front of typed fields (`rfc822;`, `dns;`, `smtp;`). */
function stripType(value: string): string {
  const m = /^\s*[a-z0-9-]{1,32}\s*;\s*/i.exec(value);
  return (m === null ? value : value.slice(m[0].length)).trim();
}

function optional(value: string): string | undefined {
  return value === '' ? undefined : value;
}

function safeCodePoint(cp: number): string {
  return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
}

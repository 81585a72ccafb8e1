import { TidingsError, isTidingsError } from '../errors.js';

/**
 * Sorts a delivery failure into the two things the outbox loop can do about it:
 *
 * - **permanent** (`E_TRANSPORT_PERMANENT`): the server refused this message for good, so sending
 *   the same bytes again gets the same answer. An SMTP 5xx reply (except 503, a session-state
 *   reply that a new connection cures), a message nodemailer refuses to build an envelope for,
 *   or a message the outbox cannot render (missing attachment blob, malformed `mail` JSON).
 * - **temporary** (`E_TRANSPORT_TEMPORARY`): anything else. SMTP 4xx, refused/reset connections,
 *   timeouts, DNS failures, TLS trouble, a full disk under the file transport, and errors this
 *   module does not recognise: retrying is bounded by the loop's maxAttempts, while wrongly
 *   failing a mail for good would lose an acknowledgement.
 *
 * Authentication failures (EAUTH, even with a 535 reply, and ENOAUTH) are deliberately
 * **temporary**: they say our configuration is wrong, not the message, and an admin fixing the
 * password must not find every acknowledgement of the outage marked failed.
 */
export type DeliveryFailureKind = 'temporary' | 'permanent';

/** What a classified delivery error carries in `details`. No bodies, no credentials. */
export interface DeliveryErrorDetails {
  permanent: boolean;
  /** SMTP reply code, when the server answered. */
  responseCode?: number;
  /** The server's reply line(s), when it answered (kept for events and last_error). */
  response?: string;
  /** nodemailer's or Node's error code: ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, EENVELOPE, ENOSPC, ... */
  code?: string;
  /** The code under nodemailer's own (ECONNREFUSED for an ESOCKET error, ENOTFOUND for EDNS). */
  originalCode?: string;
  /** The SMTP command in flight: CONN, MAIL FROM, RCPT TO, DATA, ... */
  command?: string;
  /** Where it failed outside SMTP: 'render' for a mail the outbox could not build. */
  stage?: string;
  /** Recipients the server refused (all of them, for an EENVELOPE error). */
  rejected?: string[];
}

const MAX_TEXT = 1000;

/** nodemailer codes that are about the message or its envelope, not the connection. */
const PERMANENT_CODES_WITHOUT_REPLY = new Set(['EENVELOPE', 'EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS', 'EOTP']);

/** Failures of our own credentials or setup: never the message's fault. */
const CONFIGURATION_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'ETLS', 'EREQUIRETLS']);

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  originalCode?: unknown;
  rejected?: unknown;
}

function clip(text: string): string {
  const oneLine = text.replace(/\r?\n/g, ' ').trim();
  return oneLine.length > MAX_TEXT ? `${oneLine.slice(0, MAX_TEXT - 1)}…` : oneLine;
}

/** True for a reply code that refuses the message for good (RFC 5321: 5yz, except 503). */
export function isPermanentReplyCode(code: number): boolean {
  return code >= 500 && code <= 599 && code !== 503;
}

/**
 * Turns whatever a transport threw into a TidingsError with code E_TRANSPORT_TEMPORARY or
 * E_TRANSPORT_PERMANENT and DeliveryErrorDetails; an error that already is one is returned as is.
 */
export function classifyDeliveryError(err: unknown): TidingsError {
  if (isTidingsError(err, 'E_TRANSPORT_TEMPORARY') || isTidingsError(err, 'E_TRANSPORT_PERMANENT')) return err;
  const e: ErrorLike = err !== null && typeof err === 'object' ? (err as ErrorLike) : { message: String(err) };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const response = typeof e.response === 'string' && e.response.trim() !== '' ? clip(e.response) : undefined;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : 'delivery failed';

  let permanent: boolean;
  if (code !== undefined && CONFIGURATION_CODES.has(code)) permanent = false;
  else if (responseCode !== undefined) permanent = isPermanentReplyCode(responseCode);
  else permanent = code !== undefined && PERMANENT_CODES_WITHOUT_REPLY.has(code);

  const details: DeliveryErrorDetails = { permanent };
  if (responseCode !== undefined) details.responseCode = responseCode;
  if (response !== undefined) details.response = response;
  if (code !== undefined) details.code = code;
  if (typeof e.originalCode === 'string') details.originalCode = e.originalCode;
  if (typeof e.command === 'string') details.command = e.command;
  if (Array.isArray(e.rejected)) details.rejected = e.rejected.filter((r): r is string => typeof r === 'string');

  // The SMTP reply is the most useful text for an admin; nodemailer's message repeats it with a prefix.
  const text = clip(response ?? message);
  return new TidingsError(permanent ? 'E_TRANSPORT_PERMANENT' : 'E_TRANSPORT_TEMPORARY', text, {
    cause: err,
    details: details as unknown as Record<string, unknown>,
  });
}

/** A permanent failure built by the outbox itself (render stage, invalid row): no cause from a transport. */
export function permanentDeliveryError(message: string, details: Omit<DeliveryErrorDetails, 'permanent'> = {}): TidingsError {
  return new TidingsError('E_TRANSPORT_PERMANENT', clip(message), { details: { ...details, permanent: true } });
}

export function deliveryFailureKind(err: unknown): DeliveryFailureKind {
  return classifyDeliveryError(err).code === 'E_TRANSPORT_PERMANENT' ? 'permanent' : 'temporary';
}

/** The details of a classified error, typed. */
export function deliveryDetails(err: TidingsError): DeliveryErrorDetails {
  return err.details as unknown as DeliveryErrorDetails;
}

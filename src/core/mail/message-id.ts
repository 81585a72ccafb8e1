import { createHmac, timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { TidingsError } from '../../errors.js';
import { base32 } from './base32.js';

/**
 * Outgoing Message-IDs that name their ticket and cannot be forged:
 *
 *   tidings.<tid>.<kind>.<nonce>.<mac>@<domain>
 *
 * mac = the first 20 base32 characters (100 bits) of HMAC-SHA256(key, every other field). A client
 * reply whose In-Reply-To/References carries such an id proves the client's mail program received
 * our mail for that ticket; a stranger cannot make one up without the key. The domain is covered by
 * the MAC too, so no character of the id can change without failing verification.
 */

/** A signing key: UTF-8 text (from a secret file or variable) or raw bytes. */
export type MessageIdKey = string | Uint8Array;

export interface MessageIdParts {
  tid: number;
  /** What the mail is: ack, relay, notify, escalation, closing... Lower case, digits and '-'. */
  kind: string;
  /** Random bytes from the caller (the core draws no randomness); 8-32 bytes, 10 is plenty. */
  nonce: Uint8Array;
  /** Our mail domain, e.g. desk.example. */
  domain: string;
}

export interface VerifiedMessageId {
  tid: number;
  kind: string;
}

const MAC_CHARS = 20;
const MIN_KEY_BYTES = 16;
// Bounds the work a hostile References header can cause; real threads are far shorter.
const MAX_REFERENCES_CHECKED = 100;
const KIND = /^[a-z][a-z0-9-]{0,31}$/;
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
// Strict on purpose: no leading zeros, lower case only. Message-IDs are compared literally, and
// accepting a variant would make two different ids verify as the same mail.
const LOCAL = /^tidings\.([1-9][0-9]{0,15})\.([a-z][a-z0-9-]{0,31})\.([a-z2-7]{13,52})\.([a-z2-7]{20})$/;

/** A Message-ID (without angle brackets) for a mail of ticket `tid`. */
export function makeMessageId(parts: MessageIdParts, key: MessageIdKey): string {
  const { tid, kind, nonce } = parts;
  const domain = typeof parts.domain === 'string' ? parts.domain.toLowerCase() : '';
  const bad = (why: string): TidingsError => new TidingsError('E_MESSAGE_ID_INVALID', `cannot build a Message-ID: ${why}`, { details: { tid, kind, domain } });
  if (!Number.isSafeInteger(tid) || tid < 1) throw bad('ticket number must be a positive integer');
  if (typeof kind !== 'string' || !KIND.test(kind)) throw bad('kind must be lower-case letters, digits or "-", starting with a letter');
  if (!(nonce instanceof Uint8Array) || nonce.length < 8 || nonce.length > 32) throw bad('nonce must be 8-32 random bytes');
  if (!DOMAIN.test(domain)) throw bad(`"${domain}" is not a domain name`);
  const nonceText = base32(nonce);
  const mac = macFor(keyBytes(key), String(tid), kind, nonceText, domain);
  return `tidings.${tid}.${kind}.${nonceText}.${mac}@${domain}`;
}

/**
 * The ticket and kind of one of our Message-IDs, or undefined for anything else: foreign ids,
 * malformed ids, or a MAC that none of the keys produced. Angle brackets are optional. Several keys
 * may be given so that ids signed before a key rotation still thread.
 */
export function verifyMessageId(id: string, keys: MessageIdKey | readonly MessageIdKey[]): VerifiedMessageId | undefined {
  const keyList = (Array.isArray(keys) ? keys : [keys]) as readonly MessageIdKey[];
  const material = keyList.map(keyBytes);
  const bare = id.trim().replace(/^<([^<>]*)>$/, '$1');
  const at = bare.lastIndexOf('@');
  if (at < 0) return undefined;
  const domain = bare.slice(at + 1);
  const m = LOCAL.exec(bare.slice(0, at));
  if (m === null || !DOMAIN.test(domain)) return undefined;
  const [, tidText, kind, nonceText, mac] = m as unknown as [string, string, string, string, string];
  if (!Number.isSafeInteger(Number(tidText))) return undefined;
  const given = Buffer.from(mac, 'ascii');
  for (const key of material) {
    const expected = Buffer.from(macFor(key, tidText, kind, nonceText, domain), 'ascii');
    // Same length by construction (the pattern fixes it), so only the content is compared, in constant time.
    if (timingSafeEqual(given, expected)) return { tid: Number(tidText), kind };
  }
  return undefined;
}

/**
 * The ticket a message replies to, by our own signed ids: In-Reply-To first (the mail the client
 * actually answered), then References from newest (last) to oldest. Only ids that verify count.
 */
export function ticketFromReferences(
  inReplyTo: string | undefined,
  references: readonly string[],
  keys: MessageIdKey | readonly MessageIdKey[],
): number | undefined {
  const candidates = [...(inReplyTo === undefined ? [] : [inReplyTo]), ...references.slice(-MAX_REFERENCES_CHECKED).reverse()];
  for (const id of candidates) {
    const verified = verifyMessageId(id, keys);
    if (verified !== undefined) return verified.tid;
  }
  return undefined;
}

function macFor(key: Uint8Array, tid: string, kind: string, nonce: string, domain: string): string {
  // A version label and NUL separators keep the fields unambiguous and the MAC specific to this use of the key.
  const digest = createHmac('sha256', key).update(`tidings-message-id-v1\0${tid}\0${kind}\0${nonce}\0${domain}`).digest();
  return base32(digest).slice(0, MAC_CHARS);
}

function keyBytes(key: MessageIdKey): Uint8Array {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (!(bytes instanceof Uint8Array) || bytes.length < MIN_KEY_BYTES) {
    throw new TidingsError('E_MESSAGE_ID_KEY_INVALID', `the Message-ID signing key must be at least ${MIN_KEY_BYTES} bytes`);
  }
  return bytes;
}

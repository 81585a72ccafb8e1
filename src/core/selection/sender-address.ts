import { domainToASCII } from 'node:url';
import { TidingsError } from '../../errors.js';

// dot-atom local part (RFC 5322) plus letters of any script (RFC 6531); quoted local parts are
// not accepted: no real client sends them, and they would make "the same address" ambiguous.
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_CHARS = /^[\p{L}\p{N}.-]+$/u;
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DISPLAY_FORM = /<([^<>]*)>\s*$/;

/**
 * A domain in the one form both sides of a comparison use: lower case, IDN as punycode, so
 * `Пример.рф` in a From header matches `xn--e1afmkfd.xn--p1ai` in a licence. Undefined when it is
 * not a host name with at least two labels (address literals and bare IPs are not licence domains).
 */
export function normalizeDomain(text: string): string | undefined {
  const ascii = normalizeHost(text);
  return ascii === undefined || !ascii.includes('.') ? undefined : ascii;
}

/**
 * normalizeDomain without the second label: an intranet host (`root@localhost`, `cron@build01`)
 * is a real sender that must be stored and answered by staff, though never a licence domain.
 */
function normalizeHost(text: string): string | undefined {
  if (!DOMAIN_CHARS.test(text)) return undefined;
  // domainToASCII is plain string conversion (UTS 46), no lookup; it returns '' for what it rejects.
  const ascii = domainToASCII(text);
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((l) => ASCII_LABEL.test(l))) return undefined;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  return ascii;
}

/** The address to match, or undefined when it is not one. */
export function tryNormalizeAddress(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  // Admins paste "Ann <ann@x>" into `sla explain`; headers are parsed upstream and arrive bare.
  const addr = (DISPLAY_FORM.exec(trimmed)?.[1] ?? trimmed).trim();
  if (addr.length > 254) return undefined;
  const at = addr.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = addr.slice(0, at).normalize('NFC');
  if (local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  const domain = normalizeHost(addr.slice(at + 1));
  if (domain === undefined) return undefined;
  // Local parts are case-sensitive in theory; no mail system in use treats them so, and 4.9 matching
  // must not hand a different level to ANN@ than to ann@.
  return `${local.toLowerCase()}@${domain}`;
}

/** Like tryNormalizeAddress, but an invalid sender is an error: it can never be matched honestly. */
export function normalizeAddress(text: string): string {
  const addr = tryNormalizeAddress(text);
  if (addr === undefined) {
    throw new TidingsError('E_ADDRESS_INVALID', `not an e-mail address: ${JSON.stringify(String(text).slice(0, 200))}`, {
      details: { value: String(text).slice(0, 200) },
    });
  }
  return addr;
}

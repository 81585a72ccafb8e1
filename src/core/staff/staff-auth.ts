import type { HeaderField } from '../mail/header-block.js';
import { domainOf } from '../mail/address.js';
import { normalizeHost, receivedBy } from '../mail/received.js';
import { parseAuthenticationResults, type AuthResult } from './authentication-results.js';

/**
 * Whether a message with a staff From (or any From in our own domains) may act as staff.
 *
 * The From header is whatever the sender typed, so it proves nothing. What does, in one of two ways:
 *
 * - A DKIM signature of the From domain that tidings verified itself (staff.verify: dkim). Nothing
 *   the sender wrote into the header is read then.
 * - The verdict our own mail server wrote into an Authentication-Results field with its
 *   authserv-id. Only the TOP-MOST field carrying that id counts: our server adds its field above
 *   everything that came with the message. That alone is not enough when our server writes no
 *   field (OpenDKIM adds none to unsigned mail): the sender's own field claiming our id is then the
 *   top-most one. With staff.trusted_hosts, a field counts only when it stands above the first
 *   Received field that none of our own hosts wrote, because everything below that line came
 *   from outside (RFC 8601 section 7.1). Without trusted_hosts, the position is not checked.
 */
export interface StaffAuthInput {
  /** staff.require_auth from the config; false trusts the From header (local testing only). */
  requireAuth: boolean;
  /** staff.authserv_id: the id our own mail server writes. */
  authservId: string | undefined;
  /** staff.trusted_hosts: the `by` host names of the Received fields our own hosts write above our verdict. */
  trustedHosts: readonly string[];
  /** staff.verify: 'dkim' decides on `dkim` alone; undefined reads Authentication-Results. */
  verify: 'dkim' | undefined;
  /** The From address, lower case. */
  from: string;
  /** The Received and Authentication-Results fields in message order (top first). */
  trace: readonly HeaderField[];
  /** The signatures tidings verified itself; undefined when it verified none (verify is not dkim). */
  dkim?: readonly DkimSignatureResult[] | undefined;
}

/** One DKIM signature as tidings' own verification saw it. */
export interface DkimSignatureResult {
  /** Lower case: pass, fail, neutral, policy, temperror, permerror. */
  result: string;
  /** The signing domain (d=). */
  domain: string;
  /** Why it did not pass, for the audit trail. */
  comment?: string | undefined;
}

export type StaffAuthFailure = 'no-authserv-id' | 'no-results' | 'no-pass' | 'not-aligned' | 'not-verified';

export type StaffAuthDecision =
  | { trusted: true; method: 'dkim' | 'spf' | 'not-required'; detail: string }
  | { trusted: false; reason: StaffAuthFailure; detail: string };

export function decideStaffAuth(input: StaffAuthInput): StaffAuthDecision {
  if (!input.requireAuth) return { trusted: true, method: 'not-required', detail: 'staff.require_auth is off' };
  if (input.verify === 'dkim') return decideByOwnVerification(input.dkim, domainOf(input.from));
  const wanted = input.authservId?.trim().toLowerCase();
  if (!wanted) return { trusted: false, reason: 'no-authserv-id', detail: 'staff.authserv_id is not configured' };
  const fromDomain = domainOf(input.from);
  let ours: AuthResult[] | undefined;
  for (const value of readableResults(input.trace, input.trustedHosts)) {
    const parsed = parseAuthenticationResults(value);
    if (parsed?.authservId.toLowerCase() === wanted) {
      ours = parsed.results;
      break;
    }
  }
  if (ours === undefined) {
    const where = input.trustedHosts.length > 0 ? ' above the first Received not written by staff.trusted_hosts' : '';
    return { trusted: false, reason: 'no-results', detail: `no Authentication-Results from ${wanted}${where}` };
  }

  const passes = ours.filter((r) => r.result === 'pass');
  for (const r of passes) {
    if (r.method !== 'dkim') continue;
    const d = r.props['header.d'] ?? domainOf(r.props['header.i'] ?? '');
    if (aligned(d, fromDomain)) return { trusted: true, method: 'dkim', detail: `dkim=pass header.d=${d}` };
  }
  for (const r of passes) {
    if (r.method !== 'spf') continue;
    const mailfrom = r.props['smtp.mailfrom'] ?? '';
    // smtp.mailfrom is an address, or (RFC 8601 allows it) just its domain.
    const d = mailfrom.includes('@') ? domainOf(mailfrom) : mailfrom.toLowerCase();
    if (aligned(d, fromDomain)) return { trusted: true, method: 'spf', detail: `spf=pass smtp.mailfrom=${d}` };
  }
  const tried = passes.filter((r) => r.method === 'dkim' || r.method === 'spf');
  if (tried.length > 0) {
    return { trusted: false, reason: 'not-aligned', detail: `${tried.map((r) => r.method).join(', ')} passed for another domain than ${fromDomain}` };
  }
  return { trusted: false, reason: 'no-pass', detail: `no dkim or spf pass from ${wanted}` };
}

/**
 * The Authentication-Results values that may be our server's, top first: all of them without
 * trusted hosts, else those above the first Received whose `by` host is not ours (a Received
 * without a `by` clause is not ours either).
 */
function readableResults(trace: readonly HeaderField[], trustedHosts: readonly string[]): string[] {
  const trusted = new Set(trustedHosts.map(normalizeHost));
  const out: string[] = [];
  for (const field of trace) {
    if (field.name === 'received') {
      if (trusted.size > 0 && !trusted.has(receivedBy(field.value) ?? '')) break;
    } else if (field.name === 'authentication-results') {
      out.push(field.value);
    }
  }
  return out;
}

function decideByOwnVerification(dkim: readonly DkimSignatureResult[] | undefined, fromDomain: string): StaffAuthDecision {
  if (dkim === undefined) return { trusted: false, reason: 'not-verified', detail: 'the DKIM signature was not verified' };
  const passes = dkim.filter((s) => s.result === 'pass');
  const good = passes.find((s) => aligned(s.domain, fromDomain));
  if (good) return { trusted: true, method: 'dkim', detail: `dkim=pass header.d=${normalize(good.domain)} (verified by tidings)` };
  if (passes.length > 0) return { trusted: false, reason: 'not-aligned', detail: `dkim passed for ${passes.map((s) => s.domain).join(', ')}, not ${fromDomain}` };
  if (dkim.length === 0) return { trusted: false, reason: 'no-pass', detail: 'no DKIM signature' };
  return { trusted: false, reason: 'no-pass', detail: dkim.map((s) => `dkim=${s.result} header.d=${s.domain}${s.comment ? ` (${s.comment})` : ''}`).join('; ') };
}

/**
 * Relaxed alignment in the spirit of DMARC without a public-suffix list: the authenticated
 * domain equals the From domain, or one is a subdomain of the other. The shorter of the two must
 * still have a dot, so a signature by a bare top-level domain never vouches for anything.
 */
export function aligned(authenticated: string, fromDomain: string): boolean {
  const a = normalize(authenticated);
  const f = normalize(fromDomain);
  if (a === '' || f === '') return false;
  if (a === f) return a.includes('.');
  const [shorter, longer] = a.length < f.length ? [a, f] : [f, a];
  return shorter.includes('.') && longer.endsWith(`.${shorter}`);
}

function normalize(domain: string): string {
  return normalizeHost(domain).replace(/^@/, '');
}

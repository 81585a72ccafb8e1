import { domainOf } from '../mail/address.js';
import { parseAuthenticationResults, type AuthResult } from './authentication-results.js';

/**
 * Whether a message with a staff From may act as staff (relay to clients, run commands).
 *
 * The From header is whatever the sender typed, so it proves nothing. What does: our own mail
 * server checked DKIM/SPF on arrival and wrote the verdict into an Authentication-Results field
 * with its authserv-id. Only the TOP-MOST field carrying that id counts: our server adds its field
 * above everything that came with the message, and anything below it (also one that claims our id)
 * was written by whoever sent or relayed the mail and may be forged (RFC 8601 section 7.1).
 */
export interface StaffAuthInput {
  /** staff.require_auth from the config; false trusts the From header (local testing only). */
  requireAuth: boolean;
  /** staff.authserv_id: the id our own mail server writes. */
  authservId: string | undefined;
  /** The From address, lower case. */
  from: string;
  /** Every Authentication-Results value in message order (top first). */
  authenticationResults: readonly string[];
}

export type StaffAuthFailure = 'no-authserv-id' | 'no-results' | 'no-pass' | 'not-aligned';

export type StaffAuthDecision =
  | { trusted: true; method: 'dkim' | 'spf' | 'not-required'; detail: string }
  | { trusted: false; reason: StaffAuthFailure; detail: string };

export function decideStaffAuth(input: StaffAuthInput): StaffAuthDecision {
  if (!input.requireAuth) return { trusted: true, method: 'not-required', detail: 'staff.require_auth is off' };
  const wanted = input.authservId?.trim().toLowerCase();
  if (!wanted) return { trusted: false, reason: 'no-authserv-id', detail: 'staff.authserv_id is not configured' };
  const fromDomain = domainOf(input.from);
  let ours: AuthResult[] | undefined;
  for (const value of input.authenticationResults) {
    const parsed = parseAuthenticationResults(value);
    if (parsed?.authservId.toLowerCase() === wanted) {
      ours = parsed.results;
      break;
    }
  }
  if (ours === undefined) return { trusted: false, reason: 'no-results', detail: `no Authentication-Results from ${wanted}` };

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
  return domain.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
}

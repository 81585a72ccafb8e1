import { promises as dns } from 'node:dns';
import type { DkimSignatureResult } from '../core/staff/staff-auth.js';
import { normalizeHost } from '../core/mail/received.js';

export interface DkimVerifyOptions {
  /** staff.dkim_keys: TXT record text by DNS name; other names are looked up in DNS. */
  pinnedKeys: Readonly<Record<string, string>>;
  /** Epoch ms: signatures are checked for expiry against the ingest clock, not the wall clock. */
  at: number;
}

/**
 * Verifies every DKIM signature of a raw message with mailauth. A key pinned in staff.yaml answers
 * for its name instead of DNS, so a site without DNS (or one that does not want to depend on it)
 * still verifies. Never throws for the message's sake: a missing key, a DNS failure or a broken
 * signature is a result other than pass, and the staff check refuses it.
 */
export async function verifyDkim(raw: Buffer, options: DkimVerifyOptions): Promise<DkimSignatureResult[]> {
  const pinned = new Map(Object.entries(options.pinnedKeys).map(([name, record]) => [normalizeHost(name), record]));
  const resolver = async (name: string, rrtype: string): Promise<string[][]> => {
    const record = rrtype === 'TXT' ? pinned.get(normalizeHost(name)) : undefined;
    if (record !== undefined) return [[record]];
    if (rrtype !== 'TXT') throw Object.assign(new Error(`no ${rrtype} lookups for DKIM`), { code: 'ENOTFOUND' });
    return dns.resolveTxt(name);
  };
  try {
    // mailauth is slow to load and only staff mail in our own name is verified, so it loads on the first one
    const { dkimVerify } = await import('mailauth');
    const { results } = await dkimVerify(raw, { resolver, curTime: options.at });
    return results
      .filter((r) => typeof r.signingDomain === 'string' && r.signingDomain !== '')
      .map((r) => ({ result: String(r.status.result).toLowerCase(), domain: r.signingDomain.toLowerCase(), comment: r.status.comment }));
  } catch (err) {
    return [{ result: 'temperror', domain: '', comment: (err as Error)?.message ?? String(err) }];
  }
}

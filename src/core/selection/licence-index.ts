import type { SelectionLicence } from './selection-options.js';
import type { LicenceMatch } from './selection-result.js';
import { normalizeDomain, tryNormalizeAddress } from './sender-address.js';

export interface AddressMatch {
  licence: SelectionLicence;
  by: Exclude<LicenceMatch, 'message'>;
}

export interface LicenceIndex {
  /** `address` must already be normalized (normalizeAddress). */
  byAddress(address: string): AddressMatch | undefined;
}

/**
 * Sender → licence, most specific first: the listed address, then the exact domain, then the
 * closest `*.` pattern (`*.eu.example.com` before `*.example.com`).
 *
 * `*.example.com` matches subdomains at any depth but NOT example.com itself. The wildcard is the
 * admin saying "our customer's departments"; the parent domain may belong to someone else (a
 * university, a holding company), so it must be listed on its own to count. Config validation
 * rejects duplicates; should two licences still claim the same address or domain, the one listed
 * first wins, so the answer never depends on anything but the config order.
 */
export function buildLicenceIndex(licences: readonly SelectionLicence[]): LicenceIndex {
  const emails = new Map<string, SelectionLicence>();
  const domains = new Map<string, SelectionLicence>();
  const wildcards = new Map<string, SelectionLicence>();
  const putFirst = (m: Map<string, SelectionLicence>, k: string | undefined, l: SelectionLicence): void => {
    if (k !== undefined && !m.has(k)) m.set(k, l);
  };
  for (const lic of licences) {
    for (const e of lic.emails) putFirst(emails, tryNormalizeAddress(e), lic);
    for (const d of lic.domains) {
      if (d.startsWith('*.')) putFirst(wildcards, normalizeDomain(d.slice(2)), lic);
      else putFirst(domains, normalizeDomain(d), lic);
    }
  }
  return {
    byAddress(address) {
      const exact = emails.get(address);
      if (exact) return { licence: exact, by: 'address' };
      let domain = address.slice(address.lastIndexOf('@') + 1);
      const own = domains.get(domain);
      if (own) return { licence: own, by: 'domain' };
      // Walk up one label at a time: the first hit is the closest pattern.
      for (let dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.')) {
        domain = domain.slice(dot + 1);
        const parent = wildcards.get(domain);
        if (parent) return { licence: parent, by: 'subdomain' };
      }
      return undefined;
    },
  };
}

import { domainOf } from './address.js';

/** Who may write into a ticket besides staff. All comparisons are case-insensitive. */
export interface ParticipantScope {
  /** Requester and CC'd addresses recorded on the ticket. */
  participants: readonly string[];
  /** Exact addresses of the ticket's licence. */
  licenceAddresses?: readonly string[] | undefined;
  /**
   * Domain patterns of the ticket's licence: `client.example` (or `@client.example`) is that domain
   * only; `*.client.example` is any subdomain of it but not the domain itself. An admin who means
   * both lists both, so a licence never silently grows to cover a parent or sibling domain.
   */
  licenceDomains?: readonly string[] | undefined;
}

export function isParticipant(sender: string, scope: ParticipantScope): boolean {
  const address = sender.trim().toLowerCase();
  if (address === '' || !address.includes('@')) return false;
  if (scope.participants.some((p) => p.trim().toLowerCase() === address)) return true;
  if ((scope.licenceAddresses ?? []).some((p) => p.trim().toLowerCase() === address)) return true;
  const domain = domainOf(address);
  return (scope.licenceDomains ?? []).some((pattern) => domainMatches(domain, pattern));
}

export function domainMatches(domain: string, pattern: string): boolean {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  const p = pattern.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
  if (d === '' || p === '') return false;
  if (p.startsWith('*.')) {
    const base = p.slice(2);
    return base !== '' && d.endsWith(`.${base}`);
  }
  return d === p;
}

import type { Config } from '../config/config.js';
import { domainOf } from '../core/mail/address.js';
import type { ParsedAddress, ParsedMessage } from '../mail/parse-message.js';

interface AddressSets {
  own: ReadonlySet<string>;
  staff: ReadonlySet<string>;
  /** Domains of the mailbox, its aliases and the staff members: mail from them must authenticate. */
  domains: ReadonlySet<string>;
  /** Never a participant: our own addresses, staff members and the staff group. */
  excluded: ReadonlySet<string>;
}

// A config is frozen and replaced whole on reload, so the sets are built once per config object
// instead of once per message.
const setsByConfig = new WeakMap<Config, AddressSets>();

function addressSets(config: Config): AddressSets {
  let sets = setsByConfig.get(config);
  if (!sets) {
    const own = new Set([config.mailbox.address, ...config.mailbox.aliases].map((a) => a.toLowerCase()));
    const staff = new Set(config.staff.members.map((m) => m.email.toLowerCase()));
    const excluded = new Set([...own, ...staff, ...(config.staff.group ? [config.staff.group.toLowerCase()] : [])]);
    const domains = new Set([...own, ...staff].map(domainOf).filter((d) => d !== ''));
    sets = { own, staff, domains, excluded };
    setsByConfig.set(config, sets);
  }
  return sets;
}

/** Our own addresses: never participants, never answered (a mail from ourselves is a loop). */
export function ownAddresses(config: Config): ReadonlySet<string> {
  return addressSets(config).own;
}

export function staffAddresses(config: Config): ReadonlySet<string> {
  return addressSets(config).staff;
}

/**
 * A staff address or any address in our own domains: mail in that name may be forged to look like
 * ours, so it must pass the staff authentication check (staff.verify, Authentication-Results).
 */
export function inOurName(config: Config, address: string): boolean {
  const sets = addressSets(config);
  return sets.staff.has(address) || sets.domains.has(domainOf(address));
}

/** From and Cc (and other To addresses) of a client message, minus our own and staff addresses (the group address too: relays must never reach staff). */
export function participantsOf(msg: ParsedMessage, config: Config): { from?: ParsedAddress; others: ParsedAddress[] } {
  const { excluded } = addressSets(config);
  const keep = (a: ParsedAddress): boolean => a.address.includes('@') && !excluded.has(a.address);
  const seen = new Set<string>();
  const others: ParsedAddress[] = [];
  const from = msg.from && keep(msg.from) ? msg.from : undefined;
  if (from) seen.add(from.address);
  for (const a of [...msg.cc, ...msg.to]) {
    if (!keep(a) || seen.has(a.address)) continue;
    seen.add(a.address);
    others.push(a);
  }
  return from ? { from, others } : { others };
}

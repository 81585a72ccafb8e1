import type { Config } from '../config/config.js';
import type { ParsedAddress, ParsedMessage } from '../mail/parse-message.js';

/** Our own addresses: never participants, never answered (a mail from ourselves is a loop). */
export function ownAddresses(config: Config): Set<string> {
  return new Set([config.mailbox.address, ...config.mailbox.aliases].map((a) => a.toLowerCase()));
}

export function staffAddresses(config: Config): Set<string> {
  return new Set(config.staff.members.map((m) => m.email.toLowerCase()));
}

/** From and Cc (and other To addresses) of a client message, minus our own and staff addresses (the group address too: relays must never reach staff). */
export function participantsOf(msg: ParsedMessage, config: Config): { from?: ParsedAddress; others: ParsedAddress[] } {
  const own = ownAddresses(config);
  const staff = staffAddresses(config);
  if (config.staff.group) staff.add(config.staff.group.toLowerCase());
  const keep = (a: ParsedAddress): boolean => a.address.includes('@') && !own.has(a.address) && !staff.has(a.address);
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

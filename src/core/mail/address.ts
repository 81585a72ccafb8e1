/**
 * The mailbox in a header value such as `"Support, Inc." <Help@Example.COM> (desk)`, lower case;
 * '' for the null path `<>`; undefined when there is none. Quoted display names are removed first
 * so a name like "a <b@c>" cannot pose as the address. A bare local part is returned as is
 * (`MAILER-DAEMON`, `<MAILER-DAEMON>`): mail systems write exactly that, and it is what marks them.
 */
export function extractAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, ' ');
  const bracketed = /<([^<>]*)>/.exec(unquoted);
  if (bracketed !== null) {
    // Source routes (<@relay:user@host>) are obsolete but still seen on Return-Path.
    const inner = bracketed[1]!.trim().replace(/^@[^:]*:/, '').toLowerCase();
    return /\s/.test(inner) ? undefined : inner;
  }
  const words = unquoted
    .replace(/\([^()]*\)/g, ' ')
    .split(/[\s,;]+/)
    .filter((w) => w !== '');
  const word = words.find((w) => /^[^@\s]+@[^@\s]+$/.test(w)) ?? (words.length === 1 && /^[a-z0-9._+-]+$/i.test(words[0]!) ? words[0] : undefined);
  return word?.toLowerCase();
}

/** The part before the last '@', lower case. */
export function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).toLowerCase();
}

/** The part after the last '@', lower case; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/**
 * True for an address whose domain is a single label (root@localhost, cron@build01): a host name
 * that only means something inside the sender's own network.
 */
export function hasDotlessDomain(address: string): boolean {
  return !domainOf(address).includes('.');
}

import { stripComments } from './header-comments.js';

/**
 * The host a Received field names in its `by` clause (RFC 5321 section 4.4), lower case without a
 * trailing dot; undefined when the field has none. Comments go first: Postfix writes the client's
 * HELO name and address in them, and a HELO such as "by mx.desk.example" must not pass for the clause.
 */
export function receivedBy(value: string): string | undefined {
  const m = /(?:^|\s)by\s+([^\s;]+)/i.exec(stripComments(value));
  return m === null ? undefined : normalizeHost(m[1]!);
}

export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

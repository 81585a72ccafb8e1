/**
 * Header fields as plain data: lower-case name to every value in message order, unfolded and decoded.
 * Plain data keeps classification pure and lets tests write headers as object literals.
 */
export type MailHeaders = Readonly<Record<string, readonly string[]>>;

/** Every value of a header field; `name` is matched case-insensitively. */
export function headerValues(headers: MailHeaders, name: string): readonly string[] {
  const key = name.toLowerCase();
  // Own properties only: a header called "constructor" must not find Object.prototype.constructor.
  return Object.hasOwn(headers, key) ? (headers[key] ?? []) : [];
}

/** The first value of a header field, or undefined. */
export function firstHeader(headers: MailHeaders, name: string): string | undefined {
  return headerValues(headers, name)[0];
}

export function hasHeader(headers: MailHeaders, name: string): boolean {
  return headerValues(headers, name).length > 0;
}

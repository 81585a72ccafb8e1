/**
 * The msg-ids in a Message-ID, In-Reply-To or References value, without angle brackets, in order,
 * each once. Real headers carry comments and junk ("<a@b> (Fred's message of Monday)"); when a value
 * has no bracketed ids at all, bare `local@domain` words are taken instead, as some old clients write them.
 */
export function parseMessageIdList(value: string): string[] {
  const found: string[] = [];
  for (const m of value.matchAll(/<([^<>\s]+)>/g)) found.push(m[1]!);
  if (found.length === 0) {
    for (const word of value.split(/[\s,]+/)) {
      if (/^[^@\s<>()]+@[^@\s<>()]+$/.test(word)) found.push(word);
    }
  }
  return [...new Set(found)];
}

/** The first msg-id of a value, without angle brackets. */
export function firstMessageId(value: string | undefined): string | undefined {
  return value === undefined ? undefined : parseMessageIdList(value)[0];
}

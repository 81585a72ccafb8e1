export interface ContentType {
  /** e.g. multipart/report, lower case; text/plain when the header is absent or broken (RFC 2045 default). */
  type: string;
  /** Parameter names lower case; values unquoted. */
  params: Readonly<Record<string, string>>;
}

/** Parses a Content-Type value such as `multipart/report; report-type="delivery-status"; boundary=x`. */
export function parseContentType(value: string | undefined): ContentType {
  const params = Object.create(null) as Record<string, string>;
  if (value === undefined) return { type: 'text/plain', params };
  const [head = '', ...rest] = splitOutsideQuotes(value, ';');
  const type = head.trim().toLowerCase();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name !== '' && !(name in params)) params[name] = v;
  }
  return { type: /^[^\s/]+\/[^\s/]+$/.test(type) ? type : 'text/plain', params };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && quoted && i + 1 < text.length) {
      current += ch + text[++i]!;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

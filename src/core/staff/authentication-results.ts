import { stripComments } from '../mail/header-comments.js';

/**
 * Authentication-Results header fields (RFC 8601) as plain data. Only the parts the staff check
 * reads are kept: who wrote the field (authserv-id), and per method its result and properties.
 *
 *   Authentication-Results: mx.desk.example; dkim=pass (good signature) header.d=desk.example;
 *     spf=pass smtp.mailfrom=eve@desk.example
 */

export interface AuthResult {
  /** Lower case: dkim, spf, dmarc, arc, iprev, auth, ... */
  method: string;
  /** Lower case: pass, fail, softfail, neutral, none, temperror, permerror, policy. */
  result: string;
  /** `ptype.property` (lower case) to value, e.g. header.d, header.i, smtp.mailfrom; the reason too. */
  props: Readonly<Record<string, string>>;
}

export interface AuthenticationResults {
  /** As written, without quotes; compare case-insensitively (it is usually a host name). */
  authservId: string;
  results: AuthResult[];
}

/**
 * Parses one field value, or undefined when it has no authserv-id at all. Comments are dropped,
 * quoted strings unquoted. A result that does not have the `method=result` shape is skipped rather
 * than failing the field: the caller only ever looks for specific passing results, so ignoring
 * what it cannot read can make a message less trusted, never more.
 */
export function parseAuthenticationResults(value: string): AuthenticationResults | undefined {
  const parts = splitOutsideQuotes(stripComments(value), ';');
  const head = (parts[0] ?? '').trim();
  const idMatch = /^("(?:[^"\\]|\\.)*"|[^\s"]+)/.exec(head);
  if (idMatch === null) return undefined;
  const authservId = unquote(idMatch[1]!);
  if (authservId === '') return undefined;
  const results: AuthResult[] = [];
  for (const part of parts.slice(1)) {
    const r = parseResinfo(part);
    if (r !== undefined) results.push(r);
  }
  return { authservId, results };
}

const METHOD = /^\s*([A-Za-z0-9][A-Za-z0-9_-]*)\s*(?:\/\s*\d+\s*)?=\s*([A-Za-z0-9_-]+)/;
// `ptype.property=value` or `reason=value`; the value runs to white space (base64 `header.b` values may hold '=').
const PROP = /^\s*([A-Za-z0-9][A-Za-z0-9_-]*(?:\s*\.\s*[A-Za-z0-9][A-Za-z0-9_-]*)?)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]*)/;

function parseResinfo(text: string): AuthResult | undefined {
  const m = METHOD.exec(text);
  if (m === null) return undefined;
  const props: Record<string, string> = Object.create(null) as Record<string, string>;
  let rest = text.slice(m[0].length);
  for (;;) {
    const p = PROP.exec(rest);
    if (p === null) break;
    const name = p[1]!.replace(/\s+/g, '').toLowerCase();
    // The first occurrence wins: a later duplicate cannot override what an earlier one said.
    if (!Object.hasOwn(props, name)) props[name] = unquote(p[2]!);
    rest = rest.slice(p[0].length);
  }
  return { method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props };
}

function splitOutsideQuotes(value: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      cur += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

import iconv from 'iconv-lite';

/**
 * Builds raw test messages byte by byte, so each charset and transfer encoding is exactly what a
 * real client would send rather than whatever a composer library chooses.
 */

export const CRLF = '\r\n';

/** A message from header lines (UTF-8 allowed, for RFC 6532) and a body given as bytes or ASCII. */
export function rawMessage(headers: readonly string[], body: Buffer | string = ''): Buffer {
  return Buffer.concat([Buffer.from(headers.join(CRLF) + CRLF + CRLF, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body]);
}

export function encode(text: string, charset: string): Buffer {
  return iconv.encode(text, charset);
}

/** RFC 2047 B encoded word. */
export function wordB(text: string, charset: string): string {
  return `=?${charset}?B?${encode(text, charset).toString('base64')}?=`;
}

/** RFC 2047 Q encoded word. */
export function wordQ(text: string, charset: string): string {
  let out = '';
  for (const byte of encode(text, charset)) {
    if (byte === 0x20) out += '_';
    else if (/[A-Za-z0-9]/.test(String.fromCharCode(byte))) out += String.fromCharCode(byte);
    else out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `=?${charset}?Q?${out}?=`;
}

/** Quoted-printable body (RFC 2045) with soft line breaks, CRLF line ends. */
export function quotedPrintable(text: string, charset: string): string {
  return text
    .split('\n')
    .map((line) => {
      let encoded = '';
      let width = 0;
      for (const byte of encode(line, charset)) {
        const piece = byte >= 0x21 && byte <= 0x7e && byte !== 0x3d ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
        if (width + piece.length > 72) {
          encoded += `=${CRLF}`;
          width = 0;
        }
        encoded += piece;
        width += piece.length;
      }
      return encoded;
    })
    .join(CRLF);
}

/** Base64 body with 76-character lines. */
export function base64Body(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/** A uuencoded block (`begin 644 name` ... `end`) as old mailers put a file into a text body; LF line ends. */
export function uuencode(name: string, bytes: Buffer): string {
  const char = (v: number): string => String.fromCharCode(v === 0 ? 96 : v + 32);
  const lines = [`begin 644 ${name}`];
  for (let i = 0; i < bytes.length; i += 45) {
    const chunk = bytes.subarray(i, i + 45);
    let line = char(chunk.length);
    for (let j = 0; j < chunk.length; j += 3) {
      const [a = 0, b = 0, c = 0] = [chunk[j], chunk[j + 1], chunk[j + 2]];
      line += char(a >> 2) + char(((a & 3) << 4) | (b >> 4)) + char(((b & 15) << 2) | (c >> 6)) + char(c & 63);
    }
    lines.push(line);
  }
  return [...lines, '`', 'end', ''].join('\n');
}

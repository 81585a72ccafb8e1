/**
 * Files uuencoded into a text body (`begin 644 name` ... `end`), as old Unix mailers, Outlook
 * Express and some 1C exports still send them: taken out of the text and returned as files. A
 * block counts only when every line of it is well-formed uuencode, so prose that happens to start
 * with "begin 600 ..." stays text.
 */
export interface UuencodedFile {
  filename: string;
  content: Buffer;
}

const BEGIN = /^begin +([0-7]{3,4}) +(.+?)[ \t]*$/;

export function extractUuencoded(text: string): { text: string; files: UuencodedFile[] } {
  if (!text.includes('begin ')) return { text, files: [] };
  const lines = text.split('\n');
  const kept: string[] = [];
  const files: UuencodedFile[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i]!.replace(/\r$/, ''));
    const block = begin === null ? undefined : decodeBlock(lines, i + 1);
    if (block === undefined) {
      kept.push(lines[i]!);
      continue;
    }
    // A path the sender's machine had means nothing here: the last segment is the name.
    const name = begin![2]!;
    files.push({ filename: name.split(/[\\/]/).filter((s) => s !== '').pop() ?? name, content: block.content });
    i = block.endLine;
  }
  return { text: files.length === 0 ? text : kept.join('\n'), files };
}

/** The decoded bytes of the lines from `from` up to the `end` line, or undefined when any line is not uuencode. */
function decodeBlock(lines: readonly string[], from: number): { content: Buffer; endLine: number } | undefined {
  const parts: Buffer[] = [];
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === 'end') return { content: Buffer.concat(parts), endLine: i };
    const decoded = decodeLine(line);
    if (decoded === undefined) return undefined;
    parts.push(decoded);
  }
  return undefined;
}

// Each character carries six bits as (value + 32); the backquote stands for zero.
function sixBits(code: number): number {
  return (code - 32) & 0x3f;
}

function decodeLine(line: string): Buffer | undefined {
  if (line === '') return Buffer.alloc(0);
  const length = sixBits(line.charCodeAt(0));
  const needed = Math.ceil(length / 3) * 4;
  if (line.length < 1 + needed) return undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 32 || c > 96) return undefined;
  }
  const out = Buffer.alloc(length);
  let o = 0;
  for (let i = 1; o < length; i += 4) {
    const [a, b, c, d] = [1, 2, 3, 4].map((k) => sixBits(line.charCodeAt(i + k - 1)));
    const bytes = [(a! << 2) | (b! >> 4), ((b! & 0x0f) << 4) | (c! >> 2), ((c! & 0x03) << 6) | d!];
    for (const byte of bytes) if (o < length) out[o++] = byte & 0xff;
  }
  return out;
}

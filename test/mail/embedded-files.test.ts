import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/parse-message.js';
import { extractUuencoded } from '../../src/mail/uuencoded.js';
import { CRLF, uuencode } from './message-builder.js';

const parse = (raw: Buffer) => parseMessage(raw, { maxBytes: 10 * 1024 * 1024 });
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const HEAD = ['From: Ann <ann@client.example>', 'To: support@desk.example', 'Subject: Files', 'Message-ID: <f1@client.example>', 'MIME-Version: 1.0'];

describe('uuencoded files in a text body (issue 13 item 6)', () => {
  const binary = Buffer.from(Array.from({ length: 301 }, (_, i) => (i * 37 + 11) % 256));
  const log = Buffer.from('2026-11-23 10:00 ERROR printer offline\n2026-11-23 10:01 retry\n');

  it('become attachments, and leave the text', async () => {
    const body = ['Hello, the logs are below.', '', uuencode('C:\\Temp\\printer.log', log), uuencode('dump.bin', binary), 'Thanks, Ann', ''].join('\n');
    const m = await parse(Buffer.from([...HEAD, 'Content-Type: text/plain; charset=us-ascii', '', body].join('\n').replace(/\n/g, CRLF)));
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.disposition, a.size])).toEqual([
      ['printer.log', 'text/plain', 'attachment', log.length],
      ['dump.bin', 'application/octet-stream', 'attachment', binary.length],
    ]);
    expect(m.attachments[0]!.content.equals(log)).toBe(true);
    expect(m.attachments[1]!.content.equals(binary)).toBe(true);
    expect(m.attachments[1]!.sha256).toBe(sha256(binary));
    expect(m.text).not.toContain('begin 644');
    expect(m.text).toContain('Hello, the logs are below.');
    expect(m.text).toContain('Thanks, Ann');
  });

  it('a part sent with Content-Transfer-Encoding: x-uuencode is decoded', async () => {
    const raw = Buffer.from(
      [...HEAD, 'Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'See attached.', '--b', 'Content-Type: application/octet-stream; name="dump.bin"', 'Content-Disposition: attachment; filename="dump.bin"', 'Content-Transfer-Encoding: x-uuencode', '', uuencode('dump.bin', binary), '--b--', ''].join('\n').replace(/\n/g, CRLF),
    );
    const m = await parse(raw);
    expect(m.attachments.map((a) => [a.filename, a.size, a.sha256])).toEqual([['dump.bin', binary.length, sha256(binary)]]);
    expect(m.attachments[0]!.content.equals(binary)).toBe(true);
  });

  it('any bytes come back exactly, and the text around them is kept', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.string({ maxLength: 40 }).filter((s) => !s.includes('begin')), (bytes, prose) => {
        const out = extractUuencoded(`${prose}\n${uuencode('f.bin', Buffer.from(bytes))}${prose}`);
        return out.files.length === 1 && out.files[0]!.content.equals(Buffer.from(bytes)) && out.text === `${prose}\n${prose}`;
      }),
    );
  });

  it('prose that only looks like a begin line stays text', async () => {
    const body = 'Steps:\nbegin 600 migrations first\nthen restart\nend\n';
    const m = await parse(Buffer.from([...HEAD, 'Content-Type: text/plain; charset=utf-8', '', body].join(CRLF)));
    expect(m.attachments).toEqual([]);
    expect(m.text).toContain('begin 600 migrations first');
  });
});

describe('an inline text part with a file name (issue 13 item 6)', () => {
  it('is kept as a named attachment as well as in the text (RFC 2231 name, continued name, plain name)', async () => {
    const raw = Buffer.from(
      [
        ...HEAD,
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Main text',
        '--b',
        "Content-Type: text/plain; charset=utf-8; name*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt",
        "Content-Disposition: inline; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt",
        '',
        'Отчёт за ноябрь',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        "Content-Disposition: inline; filename*0*=UTF-8''%D0%BB%D0%BE%D0%B3; filename*1=.log",
        '',
        'log line',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Disposition: inline; filename="plain.txt"',
        '',
        'Plain named',
        '--b--',
        '',
      ].join(CRLF),
    );
    const m = await parse(raw);
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.disposition, a.content.toString('utf8')])).toEqual([
      ['отчёт.txt', 'text/plain', 'inline', 'Отчёт за ноябрь'],
      ['лог.log', 'text/plain', 'inline', 'log line'],
      ['plain.txt', 'text/plain', 'inline', 'Plain named'],
    ]);
    expect(m.attachments[0]!.sha256).toBe(sha256(Buffer.from('Отчёт за ноябрь')));
    expect(m.text).toBe('Main text\nОтчёт за ноябрь\nlog line\nPlain named');
  });

  it('an inline text part without a name stays text only', async () => {
    const raw = Buffer.from([...HEAD, 'Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain; charset=utf-8', '', 'One', '--b', 'Content-Type: text/plain; charset=utf-8', 'Content-Disposition: inline', '', 'Two', '--b--', ''].join(CRLF));
    const m = await parse(raw);
    expect(m.attachments).toEqual([]);
    expect(m.text).toBe('One\nTwo');
  });
});

import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { maskCredentials } from '../../src/core/lifecycle/credentials.js';
import { redactRaw } from '../../src/mail/redact-raw.js';
import { base64Body, CRLF, encode, quotedPrintable, rawMessage } from './message-builder.js';

const HEAD = ['From: Ann <ann@client.example>', 'To: support@desk.example', 'Subject: Access', 'Message-ID: <r1@client.example>', 'MIME-Version: 1.0'];

const headerOf = (raw: Buffer): Buffer => raw.subarray(0, raw.indexOf('\r\n\r\n'));

function multipart(parts: readonly { headers: readonly string[]; body: string }[], boundary = 'b1'): Buffer {
  const body = [...parts.flatMap((p) => [`--${boundary}`, ...p.headers, '', p.body]), `--${boundary}--`, ''].join(CRLF);
  return rawMessage([...HEAD, `Content-Type: multipart/mixed; boundary="${boundary}"`], body);
}

describe('redactRaw', () => {
  it('masks a 7bit single-part message in place, keeping the header block byte for byte', () => {
    const raw = rawMessage([...HEAD, 'Content-Type: text/plain; charset=us-ascii'], `Hi,${CRLF}Password: S3cret!${CRLF}thanks${CRLF}`);
    const out = redactRaw(raw, maskCredentials);
    expect(headerOf(out)).toEqual(headerOf(raw));
    expect(out.subarray(headerOf(out).length).toString('latin1')).toBe(`\r\n\r\nHi,${CRLF}Password: ********${CRLF}thanks${CRLF}`);
  });

  it('masks an 8bit windows-1251 part in its charset', async () => {
    const raw = rawMessage([...HEAD, 'Content-Type: text/plain; charset=windows-1251', 'Content-Transfer-Encoding: 8bit'], encode(`Пароль: секрет1\r\nСпасибо\r\n`, 'windows-1251'));
    const parsed = await simpleParser(redactRaw(raw, maskCredentials));
    expect(parsed.text).toBe('Пароль: ********\nСпасибо\n');
  });

  it('re-encodes base64 with the line ends of the original (LF-only Maildir files)', async () => {
    const raw = Buffer.from(
      [...HEAD, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(`pass = ${'x'.repeat(80)}\n`).toString('base64').replace(/.{76}/g, '$&\n'), ''].join('\n'),
    );
    const out = redactRaw(raw, maskCredentials);
    expect(out.includes('\r')).toBe(false);
    expect((await simpleParser(out)).text).toBe('pass = ********\n');
  });

  it('returns the same bytes when there is nothing to mask', () => {
    const raw = multipart([{ headers: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'], body: quotedPrintable('Nothing secret here.', 'utf-8') }]);
    expect(redactRaw(raw, maskCredentials)).toBe(raw);
  });

  it('leaves attachments (text files too), unknown charsets and other types as they are', () => {
    const parts = [
      { headers: ['Content-Type: text/plain; name="a.txt"', 'Content-Disposition: attachment; filename="a.txt"'], body: 'Password: in-a-file' },
      { headers: ['Content-Type: text/plain; charset=x-unknown-charset'], body: 'Password: unknown-charset' },
      { headers: ['Content-Type: application/json'], body: '{"password": "json"}' },
      { headers: ['Content-Type: message/rfc822'], body: `Subject: fwd${CRLF}${CRLF}Password: forwarded` },
    ];
    const raw = multipart(parts);
    expect(redactRaw(raw, maskCredentials)).toBe(raw);
  });

  it('finds text parts in nested multiparts and keeps every other byte', () => {
    const inner = [
      '--inner',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Body(Buffer.from('Пароль: вложенный\n')),
      '--inner',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>see the text part</p>',
      '--inner--',
    ].join(CRLF);
    const raw = multipart([
      { headers: ['Content-Type: multipart/alternative; boundary=inner'], body: inner },
      { headers: ['Content-Type: image/png', 'Content-Transfer-Encoding: base64'], body: base64Body(Buffer.from('PNG Password: not-text')) },
    ]);
    const out = redactRaw(raw, maskCredentials).toString('latin1');
    const before = raw.toString('latin1');
    const b64 = base64Body(Buffer.from('Пароль: вложенный\n'));
    expect(out.replace(base64Body(Buffer.from('Пароль: ********\n')), 'B64')).toBe(before.replace(b64, 'B64'));
  });

  it('masks the last part of a multipart that lacks its close delimiter (cut-short bounces)', async () => {
    const raw = rawMessage(
      [...HEAD, 'Content-Type: multipart/mixed; boundary="b1"'],
      ['--b1', 'Content-Type: text/plain', '', 'first', '--b1', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Body(Buffer.from('Password: unterminated\n')), ''].join(CRLF),
    );
    const out = redactRaw(raw, maskCredentials);
    expect(out.toString('latin1')).toContain(`${CRLF}${base64Body(Buffer.from('Password: ********\n'))}${CRLF}`);
    expect((await simpleParser(out)).text).not.toContain('unterminated');
  });

  it('masked raw parses to the masked text of the original, for any text and encoding', async () => {
    const line = fc.stringMatching(/^[A-Za-zА-Яа-я0-9 .,:=@/-]{0,90}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 6 }), fc.constantFrom('base64', 'quoted-printable', '8bit'), fc.constantFrom('utf-8', 'koi8-r'), async (lines, cte, charset) => {
        const text = [...lines, 'Password: S3cret!', ...lines].join('\n');
        const bytes = encode(text.replace(/\n/g, CRLF), charset);
        const body = cte === 'base64' ? base64Body(bytes) : cte === 'quoted-printable' ? quotedPrintable(text, charset) : bytes;
        const raw = rawMessage([...HEAD, `Content-Type: text/plain; charset=${charset}`, `Content-Transfer-Encoding: ${cte}`], body);
        const [before, after] = await Promise.all([simpleParser(raw), simpleParser(redactRaw(raw, maskCredentials))]);
        expect(after.text).toBe(maskCredentials(before.text ?? ''));
        expect(after.text).not.toContain('S3cret!');
      }),
      { numRuns: 40 },
    );
  });
});

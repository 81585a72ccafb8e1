import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/parse-message.js';
import { prepareRaw } from '../../src/mail/prepare-raw.js';
import { CORPUS_DIR, corpusPresent } from '../support/corpus.js';

const parse = (raw: Buffer) => parseMessage(raw, { maxBytes: 10 * 1024 * 1024 });

describe('headers running straight into the body (issue 13 item 7)', () => {
  it.each([
    ['CRLF', '\r\n'],
    ['LF', '\n'],
  ])('the body after a header block without an empty line is kept whole (%s)', async (_, eol) => {
    const raw = Buffer.from(
      ['From: Ann <ann@client.example>', 'Subject: Printer', 'Message-ID: <nb1@client.example>', 'Hello there,', 'the printer is broken again.', '', 'Second paragraph: it jams.', ''].join(eol),
    );
    const m = await parse(raw);
    expect(m.subject).toBe('Printer');
    expect(m.from?.address).toBe('ann@client.example');
    expect(m.text.trim()).toBe('Hello there,\nthe printer is broken again.\n\nSecond paragraph: it jams.');
    expect(Object.keys(m.headers).sort()).toEqual(['from', 'message-id', 'subject']);
    expect(m.digests.raw).toBe(createHash('sha256').update(raw).digest('hex'));
  });

  it('a one-line body at the very end is kept', async () => {
    const m = await parse(Buffer.from('From: ann@client.example\r\nSubject: Printer\r\nHelp!'));
    expect(m.text.trim()).toBe('Help!');
  });

  it('a damaged line with fields after it stays in the header block, as before', async () => {
    const m = await parse(Buffer.from('From: ann@client.example\r\nX-Junk\r\nSubject: Printer\r\nTo: support@desk.example\r\n\r\nBody\r\n'));
    expect(m.subject).toBe('Printer');
    expect(m.to.map((a) => a.address)).toEqual(['support@desk.example']);
    expect(m.text.trim()).toBe('Body');
  });

  it('only the header block is copied: the body is handed on as a view of the raw bytes, a sound message untouched', () => {
    const body = Buffer.alloc(1 << 20, 'x');
    const raw = Buffer.concat([Buffer.from('From: ann@client.example\r\nSubject: Big\r\nHello,\r\n'), body]);
    const { chunks } = prepareRaw(raw);
    expect(Buffer.concat(chunks).toString('latin1')).toBe(`From: ann@client.example\r\nSubject: Big\r\n\r\nHello,\r\n${body.toString('latin1')}`);
    const last = chunks.at(-1)!;
    expect(last.buffer).toBe(raw.buffer);
    expect(last.length).toBe(raw.length - 'From: ann@client.example\r\nSubject: Big\r\n'.length);
    const sound = Buffer.from('From: ann@client.example\r\nSubject: Fine\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n');
    expect(prepareRaw(sound).chunks).toEqual([sound]);
    expect(prepareRaw(sound).chunks[0]).toBe(sound);
  });

  it.runIf(corpusPresent)('corpus: a stray line inside the header block keeps the fields below it', async () => {
    const m = await parse(readFileSync(path.join(CORPUS_DIR, 'mime-mikel-mail/plain_emails/raw_email_incorrect_header.eml')));
    expect(m.from?.address).toBe('xxx@xxx.xxx');
    expect(m.messageId).toBe('4D6AA7EB.6490534@xxx.xxx');
  });
});

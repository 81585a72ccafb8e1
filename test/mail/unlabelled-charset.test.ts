import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/parse-message.js';
import { CORPUS_DIR, corpusPresent } from '../support/corpus.js';
import { CRLF, encode, quotedPrintable } from './message-builder.js';

const parse = (raw: Buffer) => parseMessage(raw, { maxBytes: 10 * 1024 * 1024 });

/** A message whose header lines and body are written as raw bytes in `charset`, with no charset label anywhere. */
function eightBit(charset: string, headers: readonly string[], body: string): Buffer {
  return Buffer.concat([encode(headers.join(CRLF) + CRLF + CRLF, charset), encode(body.replace(/\n/g, CRLF), charset)]);
}

const BODY = 'Здравствуйте!\nПринтер в бухгалтерии не печатает, отчёт из 1С не выгружается.\nСпасибо, Анна Ёлкина';

describe('8-bit mail without a charset (issue 13 item 5)', () => {
  it.each(['windows-1251', 'koi8-r'])('%s: raw Subject, From name and body decoded exactly', async (charset) => {
    const raw = eightBit(charset, ['From: Анна Ёлкина <anna@client.example>', 'To: support@desk.example', 'Subject: тест тест', 'Message-ID: <u1@client.example>'], BODY);
    const m = await parse(raw);
    expect(m.subject).toBe('тест тест');
    expect(m.from).toEqual({ address: 'anna@client.example', name: 'Анна Ёлкина' });
    expect(m.text.trim()).toBe(BODY);
    expect(m.headers.subject).toEqual(['тест тест']);
    // Nothing of the repair shows: no Content-Type appears in the record, the raw digest is of the bytes as sent.
    expect(m.headers['content-type']).toBeUndefined();
    expect(m.digests.raw).toBe(createHash('sha256').update(raw).digest('hex'));
  });

  it('a quoted-printable body labelled text/plain without a charset', async () => {
    const raw = Buffer.concat([
      Buffer.from(['From: anna@client.example', 'Subject: Otchet', 'Content-Type: text/plain', 'Content-Transfer-Encoding: quoted-printable', '', ''].join(CRLF)),
      Buffer.from(quotedPrintable(BODY, 'windows-1251')),
    ]);
    const m = await parse(raw);
    expect(m.text.trim()).toBe(BODY);
    expect(m.headers['content-type']).toEqual(['text/plain']);
  });

  it('a raw 8-bit subject is read in the charset the body declares', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: anna@client.example\r\nSubject: '),
      encode('Счёт', 'koi8-r'),
      Buffer.from('\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      encode('Счёт 45 не пришёл', 'koi8-r'),
    ]);
    const m = await parse(raw);
    expect(m.subject).toBe('Счёт');
    expect(m.text.trim()).toBe('Счёт 45 не пришёл');
  });

  it('valid UTF-8 without a label stays UTF-8', async () => {
    const raw = eightBit('utf8', ['From: Аня <anya@client.example>', 'Subject: Привет, мир', 'Content-Type: text/plain'], 'Ура, работает. Grüße');
    const m = await parse(raw);
    expect(m.subject).toBe('Привет, мир');
    expect(m.from?.name).toBe('Аня');
    expect(m.text.trim()).toBe('Ура, работает. Grüße');
  });

  it.runIf(corpusPresent)('corpus: a Portuguese 8-bit subject without a label, and unlabelled UTF-8 in a body', async () => {
    const subject = await parse(readFileSync(path.join(CORPUS_DIR, 'mime-mikel-mail/error_emails/invalid_subject_characters.eml')));
    expect(subject.subject).toBe('Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro');
    const body = await parse(readFileSync(path.join(CORPUS_DIR, 'mime-mikel-mail/plain_emails/raw_email5.eml')));
    expect(body.text).toContain('Envoyé par le service de messagerie texte de Bell Mobilité.');
  });
});

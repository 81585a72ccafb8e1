import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/core/mail/classify.js';
import { makeMessageId, ticketFromReferences } from '../../src/core/mail/message-id.js';
import { parseMessage } from '../../src/mail/parse-message.js';
import { isTidingsError } from '../../src/errors.js';
import { expectCodeAsync } from '../core/mail/helpers.js';
import { base64Body, CRLF, encode, quotedPrintable, rawMessage, wordB, wordQ } from './message-builder.js';

const LIMIT = { maxBytes: 10 * 1024 * 1024 };
const parse = (raw: Buffer) => parseMessage(raw, LIMIT);

const BASE = ['From: Ann <ann@client.example>', 'To: support@desk.example', 'Date: Mon, 15 Jun 2026 10:00:00 +0200', 'Message-ID: <m1@client.example>', 'MIME-Version: 1.0'];

describe('charsets: subject and body decoded exactly', () => {
  const russianSubject = 'Не работает печать — срочно';
  const russianBody = 'Здравствуйте!\nПринтер не печатает, ошибка «E-42».\nСпасибо, Анна Ёлкина';

  it('KOI8-R: B-encoded subject and name, 8-bit body', async () => {
    // KOI8-R has neither the em dash nor guillemets, so this text keeps to what it can carry.
    const subject = 'Не работает печать - срочно';
    const body = 'Здравствуйте!\nПринтер не печатает, ошибка "E-42".\nСпасибо, Анна Ёлкина';
    const raw = rawMessage(
      [`From: ${wordB('Анна Ёлкина', 'koi8-r')} <anna@client.example>`, 'To: support@desk.example', `Subject: ${wordB(subject, 'koi8-r')}`, 'Content-Type: text/plain; charset=koi8-r', 'Content-Transfer-Encoding: 8bit'],
      encode(body.replace(/\n/g, CRLF), 'koi8-r'),
    );
    const m = await parse(raw);
    expect(m.subject).toBe(subject);
    expect(m.text.trim()).toBe(body);
    expect(m.from).toEqual({ address: 'anna@client.example', name: 'Анна Ёлкина' });
  });

  it('windows-1251: Q-encoded subject, quoted-printable body', async () => {
    const raw = rawMessage(
      [...BASE, `Subject: ${wordQ(russianSubject, 'windows-1251')}`, 'Content-Type: text/plain; charset="windows-1251"', 'Content-Transfer-Encoding: quoted-printable'],
      quotedPrintable(russianBody, 'windows-1251'),
    );
    const m = await parse(raw);
    expect(m.subject).toBe(russianSubject);
    expect(m.text.trim()).toBe(russianBody);
  });

  it('ISO-8859-1: Q-encoded subject, 8-bit body', async () => {
    const body = 'Grüße aus Köln,\nça va? Øre, naïve, æble.';
    const raw = rawMessage([...BASE, `Subject: ${wordQ('Grüße aus Köln', 'iso-8859-1')}`, 'Content-Type: text/plain; charset=ISO-8859-1', 'Content-Transfer-Encoding: 8bit'], encode(body.replace(/\n/g, CRLF), 'latin1'));
    const m = await parse(raw);
    expect(m.subject).toBe('Grüße aus Köln');
    expect(m.text.trim()).toBe(body);
  });

  it('ISO-8859-2: B-encoded subject, base64 body', async () => {
    const text = 'Zażółć gęślą jaźń';
    const raw = rawMessage([...BASE, `Subject: ${wordB(text, 'iso-8859-2')}`, 'Content-Type: text/plain; charset=iso-8859-2', 'Content-Transfer-Encoding: base64'], base64Body(encode(`${text}\r\nŁódź`, 'iso-8859-2')));
    const m = await parse(raw);
    expect(m.subject).toBe(text);
    expect(m.text.trim()).toBe(`${text}\nŁódź`);
  });

  it('UTF-8: a multi-byte character split across two B words, folded; QP body with emoji', async () => {
    const bytes = Buffer.from('Привет, мир 🎉', 'utf8');
    // Split inside the emoji: each word alone is invalid UTF-8, joined they are not (RFC 2047 6.2 allows it in practice).
    const cut = bytes.length - 2;
    const subject = `=?UTF-8?B?${bytes.subarray(0, cut).toString('base64')}?=${CRLF} =?UTF-8?B?${bytes.subarray(cut).toString('base64')}?=`;
    const raw = rawMessage([...BASE, `Subject: ${subject}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'], quotedPrintable('Ура 🎉 работает', 'utf8'));
    const m = await parse(raw);
    expect(m.subject).toBe('Привет, мир 🎉');
    expect(m.text.trim()).toBe('Ура 🎉 работает');
  });

  it('RFC 6532: raw UTF-8 in the headers', async () => {
    const raw = rawMessage(['From: Аня <аня@client.example>', 'To: support@desk.example', 'Subject: Привет 😀 [TID#12]', 'Content-Type: text/plain; charset=utf-8'], Buffer.from('Тело', 'utf8'));
    const m = await parse(raw);
    expect(m.subject).toBe('Привет 😀 [TID#12]');
    expect(m.from).toEqual({ address: 'аня@client.example', name: 'Аня' });
    expect(m.headers.subject).toEqual(['Привет 😀 [TID#12]']);
  });

  it('decodes encoded words in every header of the record, not just the subject', async () => {
    const raw = rawMessage([...BASE, `X-Custom: ${wordB('Отдел продаж', 'koi8-r')}`, `Subject: ${wordQ('Тема', 'windows-1251')}`], 'x');
    const m = await parse(raw);
    expect(m.headers['x-custom']).toEqual(['Отдел продаж']);
    expect(m.headers.subject).toEqual(['Тема']);
  });
});

describe('fields', () => {
  it('keeps Received and Authentication-Results interleaved in message order, folded values unfolded', async () => {
    const raw = Buffer.from(
      [
        'Received: from a by imap.desk.example with LMTP; Mon, 6 Jan 2025 10:00:02 +0000',
        'Authentication-Results: mx.desk.example;',
        '\tdkim=pass header.d=desk.example',
        'Received: from evil by mx.desk.example; Mon, 6 Jan 2025 10:00:00 +0000',
        'From: eve@desk.example',
        'Authentication-Results: mx.desk.example; dkim=pass',
        'Subject: x',
        '',
        'body',
        '',
      ].join('\r\n'),
    );
    const parsed = await parseMessage(raw, { maxBytes: 1 << 20 });
    expect(parsed.trace).toEqual([
      { name: 'received', value: 'from a by imap.desk.example with LMTP; Mon, 6 Jan 2025 10:00:02 +0000' },
      { name: 'authentication-results', value: 'mx.desk.example;\tdkim=pass header.d=desk.example' },
      { name: 'received', value: 'from evil by mx.desk.example; Mon, 6 Jan 2025 10:00:00 +0000' },
      { name: 'authentication-results', value: 'mx.desk.example; dkim=pass' },
    ]);
  });

  it('normalizes ids, addresses, dates and the return path', async () => {
    const raw = rawMessage(
      [
        'Return-Path: <>',
        'From: "Ann Client" <Ann@Client.EXAMPLE>',
        'To: Support <Support@Desk.Example>, undisclosed: Bob <BOB@x.example>, carol@x.example;',
        'Cc: dave@x.example',
        'Cc: Eve <eve@x.example>',
        'Reply-To: replies@client.example, other@client.example',
        'Subject: Hello',
        'Date: Mon, 15 Jun 2026 10:00:00 +0200 (CEST)',
        'Message-ID: <Abc.123@Client.Example>',
        "In-Reply-To: <tidings.5.ack.x@desk.example> (Support's message)",
        'References: <r1@a.example>',
        ' <r2@b.example>',
        'References: <r3@c.example> <r1@a.example>',
      ],
      'Body',
    );
    const m = await parse(raw);
    expect(m).toMatchObject({
      size: raw.length,
      messageId: 'Abc.123@Client.Example',
      inReplyTo: 'tidings.5.ack.x@desk.example',
      references: ['r1@a.example', 'r2@b.example', 'r3@c.example'],
      from: { address: 'ann@client.example', name: 'Ann Client' },
      to: [
        { address: 'support@desk.example', name: 'Support' },
        { address: 'bob@x.example', name: 'Bob' },
        { address: 'carol@x.example', name: '' },
      ],
      cc: [
        { address: 'dave@x.example', name: '' },
        { address: 'eve@x.example', name: 'Eve' },
      ],
      replyTo: { address: 'replies@client.example', name: '' },
      subject: 'Hello',
      date: Date.parse('2026-06-15T08:00:00Z'),
      returnPath: '',
      html: undefined,
      deliveryStatus: undefined,
    });
  });

  it('leaves a bad Date undefined instead of substituting the current time', async () => {
    const m = await parse(rawMessage(['From: a@x.example', 'Date: sometime last week', 'Subject: x'], 'x'));
    expect(m.date).toBeUndefined();
    const bare = await parse(rawMessage(['From: a@x.example', 'Date: 1', 'Subject: x'], 'x'));
    expect(bare.date).toBeUndefined();
  });

  it('gives empty defaults for a message with headers only', async () => {
    const m = await parse(rawMessage(['X-Only: yes']));
    expect(m).toMatchObject({ messageId: undefined, inReplyTo: undefined, references: [], from: undefined, to: [], cc: [], replyTo: undefined, subject: '', date: undefined, text: '', visibleText: '', attachments: [], returnPath: undefined });
  });

  it('keeps every header field for classification: lower-case names, all values in order, unfolded', async () => {
    const raw = rawMessage(['Received: from a', '\tby b', 'Received: from c', 'List-Id: Users <users.lists.example>', 'List-Unsubscribe: <mailto:u@lists.example>', 'Precedence: bulk', 'Precedence: list', 'AUTO-SUBMITTED: auto-replied', 'From: a@x.example'], 'x');
    const m = await parse(raw);
    expect(m.headers.received).toEqual(['from a\tby b', 'from c']);
    expect(m.headers['list-id']).toEqual(['Users <users.lists.example>']);
    expect(m.headers['list-unsubscribe']).toEqual(['<mailto:u@lists.example>']);
    expect(m.headers.precedence).toEqual(['bulk', 'list']);
    expect(m.headers['auto-submitted']).toEqual(['auto-replied']);
    expect(classifyMessage(m.headers, { returnPath: m.returnPath }).kind).toBe('automated');
  });
});

describe('bodies', () => {
  it('visibleText drops the quoted part of a reply and the signature', async () => {
    const text = ['Thanks, the printer works now.', '', 'On Mon, Jun 15, 2026 at 10:00 AM Support <support@desk.example> wrote:', '> Please restart the spooler.', '> Regards'].join('\n');
    const m = await parse(rawMessage([...BASE, 'Subject: Re: [TID#5] Printer', 'Content-Type: text/plain; charset=utf-8'], text.replace(/\n/g, CRLF)));
    expect(m.visibleText).toBe('Thanks, the printer works now.');
    expect(m.text).toContain('> Please restart the spooler.');
  });

  it('visibleText falls back to the full text when the parser would leave nothing', async () => {
    const text = '> only a quote\n> nothing else';
    const m = await parse(rawMessage([...BASE, 'Subject: x', 'Content-Type: text/plain'], text.replace(/\n/g, CRLF)));
    expect(m.visibleText.trim()).toBe(text);
  });

  it('an HTML-only message gets text generated from the HTML and keeps its HTML', async () => {
    const html = '<html><body><p>Hello <b>support</b>,</p><p>the printer is broken.</p></body></html>';
    const m = await parse(rawMessage([...BASE, 'Subject: x', 'Content-Type: text/html; charset=utf-8'], html));
    expect(m.html).toBe(html);
    expect(m.text).toContain('Hello support,');
    expect(m.text).toContain('the printer is broken.');
  });

  it('multipart/alternative gives both text and HTML', async () => {
    const raw = rawMessage(
      [...BASE, 'Subject: x', 'Content-Type: multipart/alternative; boundary="alt"'],
      ['--alt', 'Content-Type: text/plain; charset=utf-8', '', 'plain version', '--alt', 'Content-Type: text/html; charset=utf-8', '', '<p>html version</p>', '--alt--', ''].join(CRLF),
    );
    const m = await parse(raw);
    expect(m.text.trim()).toBe('plain version');
    expect(m.html).toBe('<p>html version</p>');
  });
});

describe('attachments', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3000, 7)]);

  it('are returned with name, type, size, disposition, content id and SHA-256 of the decoded bytes', async () => {
    const raw = rawMessage(
      [...BASE, 'Subject: screenshots', 'Content-Type: multipart/mixed; boundary="mix"'],
      [
        '--mix',
        'Content-Type: multipart/related; boundary="rel"',
        '',
        '--rel',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>see <img src="cid:shot1@client.example"></p>',
        '--rel',
        'Content-Type: image/png',
        'Content-Transfer-Encoding: base64',
        'Content-ID: <shot1@client.example>',
        'Content-Disposition: inline',
        '',
        base64Body(png),
        '--rel--',
        '--mix',
        'Content-Type: application/pdf; name="report.pdf"',
        "Content-Disposition: attachment; filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf",
        'Content-Transfer-Encoding: base64',
        '',
        base64Body(pdf),
        '--mix--',
        '',
      ].join(CRLF),
    );
    const m = await parse(raw);
    expect(m.attachments).toHaveLength(2);
    const [image, doc] = m.attachments;
    expect(image).toMatchObject({ contentType: 'image/png', disposition: 'inline', contentId: 'shot1@client.example', size: png.length });
    expect(image?.content.equals(png)).toBe(true);
    expect(image?.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect(doc).toMatchObject({ filename: 'отчёт.pdf', contentType: 'application/pdf', disposition: 'attachment', size: pdf.length, contentId: undefined });
    expect(doc?.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    // The HTML keeps its cid: link; the image is stored once, as an attachment.
    expect(m.html).toContain('cid:shot1@client.example');
  });

  it('a part with an empty Content-Type header is still an attachment with a usable type', async () => {
    const raw = rawMessage([...BASE, 'Subject: x', 'Content-Type: multipart/mixed; boundary="b"'], ['--b', 'Content-Type:', 'Content-Disposition: attachment; filename=x.bin', '', 'data', '--b--', ''].join(CRLF));
    const m = await parse(raw);
    expect(m.attachments[0]).toMatchObject({ filename: 'x.bin', disposition: 'attachment', size: 4 });
    expect(typeof m.attachments[0]?.contentType).toBe('string');
  });

  it('an attached message stays one part, whatever its disposition', async () => {
    const inner = ['From: x@y.example', 'Subject: forwarded', 'Message-ID: <inner@y.example>', '', 'inner body'].join(CRLF);
    const raw = rawMessage([...BASE, 'Subject: Fwd', 'Content-Type: multipart/mixed; boundary="b"'], ['--b', 'Content-Type: text/plain', '', 'see attached', '--b', 'Content-Type: message/rfc822', 'Content-Disposition: inline', '', inner, '--b--', ''].join(CRLF));
    const m = await parse(raw);
    expect(m.text.trim()).toBe('see attached');
    expect(m.attachments.map((a) => a.contentType)).toEqual(['message/rfc822']);
    expect(m.attachments[0]?.content.toString()).toContain('Message-ID: <inner@y.example>');
  });
});

describe('bounces', () => {
  const KEY = 'bounce-test-key-0123456789';
  const ourId = makeMessageId({ tid: 42, kind: 'ack', nonce: Buffer.alloc(10, 1), domain: 'desk.example' }, KEY);
  const dsn = ['Reporting-MTA: dns; mx.client.example', '', 'Final-Recipient: rfc822; ann@client.example', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 User unknown', ''].join(CRLF);
  const returnedHeaders = ['From: Support <support@desk.example>', 'To: ann@client.example', `Message-ID: <${ourId}>`, 'Subject: [TID#42] Printer'].join(CRLF);
  const bounceHeaders = ['Return-Path: <>', 'From: Mail Delivery System <MAILER-DAEMON@mx.client.example>', 'To: support@desk.example', 'Subject: Undelivered Mail Returned to Sender', 'Auto-Submitted: auto-replied'];

  const report = (returnedPart: string[]): Buffer =>
    rawMessage(
      [...bounceHeaders, 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'],
      ['--r', 'Content-Type: text/plain', '', 'I could not deliver your message.', '--r', 'Content-Type: message/delivery-status', '', dsn, ...returnedPart, '--r--', ''].join(CRLF),
    );

  it('a DSN with text/rfc822-headers: recipients, permanence, our Message-ID, class bounce', async () => {
    const m = await parse(report(['--r', 'Content-Type: text/rfc822-headers', '', returnedHeaders, '']));
    expect(m.deliveryStatus).toEqual({
      reportingMta: 'mx.client.example',
      recipients: [{ address: 'ann@client.example', finalRecipient: 'ann@client.example', action: 'failed', status: '5.1.1', diagnosticCode: '550 5.1.1 User unknown', isPermanent: true }],
    });
    expect(m.returnedMessageId).toBe(ourId);
    expect(ticketFromReferences(m.returnedMessageId, [], KEY)).toBe(42);
    // The report fields stay out of the text a person reads.
    expect(m.text.trim()).toBe('I could not deliver your message.');
    expect(m.hasDeliveryStatusPart).toBe(true);
    expect(classifyMessage(m.headers, { returnPath: m.returnPath, hasDeliveryStatus: m.hasDeliveryStatusPart })).toMatchObject({
      kind: 'bounce',
      reason: 'multipart/report; report-type=delivery-status',
    });
  });

  it('a DSN returning the whole message (message/rfc822, even inline)', async () => {
    const m = await parse(report(['--r', 'Content-Type: message/rfc822', 'Content-Disposition: inline', '', returnedHeaders, '', 'original body', '']));
    expect(m.returnedMessageId).toBe(ourId);
    expect(m.deliveryStatus?.recipients).toHaveLength(1);
  });

  it('a DSN with broken MIME (no boundary matches) still yields its recipients from the raw body', async () => {
    const raw = rawMessage([...bounceHeaders, 'Content-Type: multipart/report; report-type=delivery-status; boundary="nomatch"'], ['--other', 'Content-Type: message/delivery-status', '', dsn, returnedHeaders, ''].join(CRLF));
    const m = await parse(raw);
    expect(m.deliveryStatus?.recipients.map((r) => r.address)).toEqual(['ann@client.example']);
    expect(m.returnedMessageId).toBe(ourId);
  });

  it('an exim bounce without a report gets its recipients from X-Failed-Recipients, not marked permanent', async () => {
    const raw = rawMessage(
      ['Return-Path: <>', 'From: Mail Delivery System <Mailer-Daemon@mx.example>', 'X-Failed-Recipients: ann@client.example', 'Subject: Mail delivery failed: returning message to sender'],
      ['This message was created automatically by mail delivery software.', '', '------ This is a copy of the message, including all the headers. ------', '', `Message-Id: <${ourId}>`, 'Subject: [TID#42] x', ''].join(CRLF),
    );
    const m = await parse(raw);
    expect(m.deliveryStatus?.recipients).toEqual([{ address: 'ann@client.example', finalRecipient: 'ann@client.example', action: 'failed', isPermanent: false }]);
    expect(m.returnedMessageId).toBe(ourId);
    expect(m.hasDeliveryStatusPart).toBe(false);
    expect(classifyMessage(m.headers, { returnPath: m.returnPath, hasDeliveryStatus: m.hasDeliveryStatusPart })).toMatchObject({
      kind: 'bounce',
      reason: 'X-Failed-Recipients: ann@client.example',
    });
  });

  it('an ordinary message has no delivery status', async () => {
    const m = await parse(rawMessage([...BASE, 'Subject: x'], 'hi'));
    expect(m.deliveryStatus).toBeUndefined();
    expect(m.hasDeliveryStatusPart).toBe(false);
  });
});

describe('limits and failures', () => {
  it('refuses a message over the size limit before parsing, with size and limit', async () => {
    const raw = rawMessage([...BASE, 'Subject: x'], 'x'.repeat(1000));
    let err: unknown;
    try {
      await parseMessage(raw, { maxBytes: raw.length - 1 });
    } catch (e) {
      err = e;
    }
    expect(isTidingsError(err, 'E_MESSAGE_TOO_LARGE')).toBe(true);
    expect((err as { details: unknown }).details).toEqual({ size: raw.length, limit: raw.length - 1 });
  });

  it('accepts a message exactly at the limit', async () => {
    const raw = rawMessage([...BASE, 'Subject: x'], 'x');
    await expect(parseMessage(raw, { maxBytes: raw.length })).resolves.toMatchObject({ size: raw.length });
  });

  it.each<[string, Buffer]>([
    ['empty input', Buffer.alloc(0)],
    ['text without any header field', Buffer.from('Hello,\r\n\r\nthis is not a message.\r\n')],
    ['a header block larger than mailparser accepts', rawMessage(['From: a@x.example', `X-Big: ${'a'.repeat(1_100_000)}`], 'x')],
    [
      'more MIME parts than mailparser accepts',
      rawMessage(['From: a@x.example', 'Content-Type: multipart/mixed; boundary=b'], `${Array.from({ length: 1100 }, (_, i) => `--b${CRLF}Content-Type: text/plain${CRLF}${CRLF}part ${i}${CRLF}`).join('')}--b--${CRLF}`),
    ],
  ])('%s is E_MESSAGE_UNPARSEABLE', async (_, raw) => {
    await expectCodeAsync(() => parse(raw), 'E_MESSAGE_UNPARSEABLE');
  });
});

describe('robustness', () => {
  const wellFormed = rawMessage(
    [...BASE, `Subject: ${wordB('Тема', 'koi8-r')}`, 'Content-Type: multipart/mixed; boundary="b"'],
    ['--b', 'Content-Type: text/plain; charset=windows-1251', 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable('Привет', 'windows-1251'), '--b', 'Content-Type: application/octet-stream; name=a.bin', 'Content-Transfer-Encoding: base64', '', base64Body(Buffer.alloc(300, 9)), '--b--', ''].join(CRLF),
  );
  const outcome = async (raw: Buffer): Promise<boolean> => {
    try {
      await parseMessage(raw, { maxBytes: 1_000_000 });
      return true;
    } catch (err) {
      return isTidingsError(err, 'E_MESSAGE_UNPARSEABLE') || isTidingsError(err, 'E_MESSAGE_TOO_LARGE');
    }
  };

  it('random bytes either parse or are refused with a quarantine code', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), (bytes) => outcome(Buffer.from(bytes))), { numRuns: Number(process.env.FUZZ_RUNS ?? 200) });
  });

  it('a real message truncated or corrupted anywhere either parses or is refused with a quarantine code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: wellFormed.length }), fc.nat({ max: wellFormed.length - 1 }), fc.integer({ min: 0, max: 255 }), async (cut, at, byte) => {
        const corrupted = Buffer.from(wellFormed.subarray(0, cut));
        if (at < corrupted.length) corrupted[at] = byte;
        return outcome(corrupted);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
});

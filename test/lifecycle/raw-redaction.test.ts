import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { runRedactionScan } from '../../src/escalation/redaction-scan.js';
import { sha256Hex } from '../../src/store/blob-repository.js';
import { BASE_FILES } from '../config/config-fixture.js';
import type { Desk } from '../ingest/ingest-fixture.js';
import { openStaffDesk, staffMail } from '../ingest/staff-fixture.js';
import { base64Body, CRLF, quotedPrintable } from '../mail/message-builder.js';

let desk: Desk | undefined;
afterEach(() => {
  desk?.close();
  desk = undefined;
});

const B64_SECRET = 'Kx9-base64-secret';
const QP_SECRET = 'qp=secret';
const URL_SECRET = 'hunter2';
// Long enough that the QP encoder folds the password line with a soft line break.
const QP_LONG_SECRET = `fold-${'z'.repeat(90)}`;
const PDF = Buffer.from('%PDF-1.4\nPassword: not-a-text-part\n%%EOF\n');

const TOP_HEADERS = [
  'From: Ann Client <ann@client.example>',
  'To: support@desk.example',
  'Subject: Cannot log in',
  'Date: Mon, 23 Nov 2026 10:00:00 +0100',
  'Message-ID: <raw-redaction-1@client.example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
].join(CRLF);

const B64_HEADERS = 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64';
const QP_HEADERS = 'Content-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: quoted-printable';
const PDF_HEADERS = 'Content-Type: application/pdf; name="notes.pdf"\r\nContent-Disposition: attachment; filename="notes.pdf"\r\nContent-Transfer-Encoding: base64';

/** A password in a base64 UTF-8 part, another in a quoted-printable windows-1251 part, and a PDF. */
function secretMail(): Buffer {
  const b64Text = `Здравствуйте!\r\nДоступ к админке:\r\nПароль: ${B64_SECRET}\r\nftp://deploy:${URL_SECRET}@ftp.client.example/\r\n`;
  const qpText = `Второй сервер.\nPassword: ${QP_SECRET}\npass = ${QP_LONG_SECRET}\nСпасибо.\n`;
  return Buffer.from(
    [
      TOP_HEADERS,
      '',
      'This is a multi-part message in MIME format.',
      '--outer',
      B64_HEADERS,
      '',
      base64Body(Buffer.from(b64Text, 'utf8')),
      '--outer',
      QP_HEADERS,
      '',
      quotedPrintable(qpText, 'windows-1251'),
      '--outer',
      PDF_HEADERS,
      '',
      base64Body(PDF),
      '--outer--',
      '',
    ].join(CRLF),
    'latin1',
  );
}

/** Every header block (the message's and each part's), in order. */
function headerBlocks(raw: Buffer): string[] {
  const s = raw.toString('latin1');
  const blocks = [s.slice(0, s.indexOf('\r\n\r\n'))];
  for (const part of s.split('--outer\r\n').slice(1)) blocks.push(part.slice(0, part.indexOf('\r\n\r\n')));
  return blocks;
}

async function closedTicketWithSecrets(): Promise<{ d: Desk; tid: number; rowId: number }> {
  desk = openStaffDesk({ 'tidings.yaml': BASE_FILES['tidings.yaml']!.replace('tid: {', 'redact_credentials_after_days: 7\ntid: {') });
  const d = desk;
  const out = await d.ingest(secretMail());
  const tid = out.ticketId!;
  d.clock.now = Date.parse('2026-11-23T12:00:00+01:00');
  await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Done, see the settings page.\n' }));
  await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close' }));
  return { d, tid, rowId: out.messageRowId! };
}

const SECRETS = [B64_SECRET, QP_SECRET, URL_SECRET, QP_LONG_SECRET];
const AFTER = Date.parse('2026-11-30T12:00:00+01:00');

describe('redaction of the raw mail', () => {
  it('masks the secrets in base64 and quoted-printable parts; headers, structure and attachments stay', async () => {
    const { d, tid, rowId } = await closedTicketWithSecrets();
    const before = d.repos.messages.getRaw(rowId)!;
    const parsedBefore = await simpleParser(before);
    for (const s of SECRETS) expect(parsedBefore.text).toContain(s);

    runRedactionScan(d.deps, AFTER);

    const after = d.repos.messages.getRaw(rowId)!;
    const parsed = await simpleParser(after);
    for (const s of SECRETS) {
      expect(parsed.text).not.toContain(s);
      expect(after.toString('latin1')).not.toContain(s);
      expect(d.repos.messages.getMessage(rowId)!.textBody).not.toContain(s);
    }
    expect(parsed.text).toContain('Пароль: ********');
    expect(parsed.text).toContain('Password: ********');
    expect(parsed.text).toContain('ftp://deploy:********@ftp.client.example/');
    // Both parts are still in their charsets and the rest of the text is unchanged.
    expect(parsed.text).toContain('Здравствуйте!');
    expect(parsed.text).toContain('Второй сервер.');
    expect(parsed.text).toContain('Спасибо.');
    expect(headerBlocks(after)).toEqual(headerBlocks(before));
    expect(after.subarray(0, after.indexOf('\r\n\r\n'))).toEqual(before.subarray(0, before.indexOf('\r\n\r\n')));
    expect(parsed.subject).toBe('Cannot log in');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.content).toEqual(PDF);
    // The PDF part (an attachment, not text) is byte for byte as it was.
    const pdfPart = (raw: Buffer): string => raw.toString('latin1').split('--outer\r\n')[3]!;
    expect(pdfPart(after)).toBe(pdfPart(before));

    const stored = d.repos.messages.getMessage(rowId)!;
    expect(stored.rawSha256).toBe(sha256Hex(after));
    expect(stored.size).toBe(after.length);
    const event = d.repos.events.listByTicket(tid).find((e) => e.type === 'ticket.redacted')!;
    expect(event.data).toMatchObject({ raw: [{ messageRowId: rowId, from: sha256Hex(before), to: sha256Hex(after) }] });
    // Nothing unshared keeps the old bytes.
    expect(d.repos.blobs.has(sha256Hex(before))).toBe(false);
  });

  it('leaves a blob another message shares as it is for that message', async () => {
    const { d, rowId } = await closedTicketWithSecrets();
    const before = d.repos.messages.getRaw(rowId)!;
    // The same bytes stored again for a message outside the ticket (content-addressed: one blob).
    const other = d.repos.messages.addMessage({ ticketId: null, direction: 'in', kind: 'client', receivedAt: d.clock.now, raw: before });
    expect(other.rawSha256).toBe(sha256Hex(before));

    runRedactionScan(d.deps, AFTER);

    expect(d.repos.messages.getRaw(rowId)!.equals(before)).toBe(false);
    expect(d.repos.messages.getRaw(other.id)!.equals(before)).toBe(true);
    expect(d.repos.blobs.has(sha256Hex(before))).toBe(true);
  });
});

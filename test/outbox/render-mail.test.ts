import { describe, expect, it } from 'vitest';
import { parseOutboundMail, renderMail } from '../../src/outbox/render-mail.js';
import { freshRepos } from '../store/helpers.js';
import { ackMail, BODY_MARKER, parse, PNG, T0 } from './helpers.js';

function setup() {
  const repos = freshRepos();
  const png = repos.blobs.put(PNG);
  const txt = repos.blobs.put(Buffer.from('line one\r\nline two\r\n'));
  const mail = ackMail(7, {
    cc: ['bob@client.example'],
    attachments: [
      { sha256: png.sha256, filename: 'screen.png', contentType: 'image/png' },
      { sha256: txt.sha256, filename: 'log.txt', contentType: 'text/plain' },
    ],
  });
  return { repos, mail, messageId: 'tid7.ack.0123abcd@desk.example' };
}

function thrownAsync(p: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as Error & { code?: string },
  );
}

describe('renderMail', () => {
  it('renders our Message-ID, the enqueue date, threading and extra headers, body and attachments', async () => {
    const { repos, mail, messageId } = setup();
    const raw = await renderMail({ mail, messageId, blobs: repos.blobs });
    const text = raw.toString('latin1');
    expect(text).toMatch(/^Message-ID: <tid7\.ack\.0123abcd@desk\.example>\r$/m);
    expect(text).toMatch(/^Date: Mon, 02 Mar 2026 09:00:00 \+0000\r$/m);
    expect(text).toMatch(/^In-Reply-To: <orig-1@client\.example>\r$/m);
    expect(text).toMatch(/^References: <orig-0@client\.example> <orig-1@client\.example>\r$/m);
    expect(text).toMatch(/^Auto-Submitted: auto-replied\r$/m);
    expect(text).toMatch(/^X-Tidings-Ticket: 7\r$/m);

    const parsed = await parse(raw);
    expect(parsed.messageId).toBe(`<${messageId}>`);
    expect(parsed.date?.getTime()).toBe(T0);
    expect(parsed.subject).toBe('[TID#7] Printer on fire');
    expect(parsed.from?.value[0]).toMatchObject({ address: 'support@desk.example', name: 'Support' });
    expect((Array.isArray(parsed.to) ? parsed.to[0] : parsed.to)?.value.map((a) => a.address)).toEqual(['ann@client.example']);
    expect((Array.isArray(parsed.cc) ? parsed.cc[0] : parsed.cc)?.value.map((a) => a.address)).toEqual(['bob@client.example']);
    expect(parsed.text).toContain(BODY_MARKER);
    expect(parsed.text).toContain('Заявка зарегистрирована.');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['screen.png', 'image/png'],
      ['log.txt', 'text/plain'],
    ]);
    expect(parsed.attachments[0]?.content.equals(PNG)).toBe(true);
    expect(parsed.attachments[1]?.content.toString()).toBe('line one\r\nline two\r\n');
  });

  it('is deterministic: the same input gives the same bytes, with no random boundary or id', async () => {
    const { repos, mail, messageId } = setup();
    const a = await renderMail({ mail, messageId, blobs: repos.blobs });
    const b = await renderMail({ mail: JSON.parse(JSON.stringify(mail)), messageId, blobs: repos.blobs });
    expect(b.equals(a)).toBe(true);
    expect(a.toString('latin1')).toMatch(/boundary="--_tidings-[0-9a-f]{24}-Part_1"/);
    // a different mail gets a different boundary
    const c = await renderMail({ mail: { ...mail, text: 'other' }, messageId, blobs: repos.blobs });
    const boundary = (r: Buffer) => /boundary="([^"]+)"/.exec(r.toString('latin1'))?.[1];
    expect(boundary(c)).not.toBe(boundary(a));
  });

  it('uses CRLF line ends only, also for a body written with bare LF', async () => {
    const { repos, messageId } = setup();
    const raw = await renderMail({ mail: ackMail(7, { text: 'a\nb\n\nc\n' }), messageId, blobs: repos.blobs });
    expect(raw.includes('\r\n')).toBe(true);
    expect(/(^|[^\r])\n/.test(raw.toString('latin1'))).toBe(false);
  });

  it('renders a single-part text mail without attachments', async () => {
    const { repos, messageId } = setup();
    const raw = await renderMail({ mail: ackMail(7), messageId, blobs: repos.blobs });
    const parsed = await parse(raw);
    expect(parsed.attachments).toEqual([]);
    expect(raw.toString('latin1')).toMatch(/^Content-Type: text\/plain; charset=utf-8\r$/m);
  });

  it('fails permanently (stage render) when an attachment blob is missing', async () => {
    const { repos, messageId } = setup();
    const mail = ackMail(7, { attachments: [{ sha256: 'f'.repeat(64), filename: 'x.png', contentType: 'image/png' }] });
    const err = await thrownAsync(renderMail({ mail, messageId, blobs: repos.blobs }));
    expect(err.code).toBe('E_TRANSPORT_PERMANENT');
    expect(err.message).toMatch(/attachment blob f{64} is missing/);
    expect(err.details).toMatchObject({ stage: 'render', permanent: true });
  });

  it('refuses headers the renderer owns and malformed mail JSON', () => {
    expect(() => parseOutboundMail({ ...ackMail(1), headers: { 'Message-ID': '<x@y>' } })).toThrow(/Message-ID is set by the renderer/);
    expect(() => parseOutboundMail({ ...ackMail(1), headers: { 'Bad Name': 'x' } })).toThrow(/not a header name/);
    expect(() => parseOutboundMail({})).toThrow(/from\.address/);
    expect(() => parseOutboundMail({ ...ackMail(1), date: 'yesterday' })).toThrow(/date/);
    expect(() => parseOutboundMail({ ...ackMail(1), to: [] })).toThrow(/\bto\b/);
    expect(() => parseOutboundMail(ackMail(1))).not.toThrow();
  });

  it('refuses a message id that is not id-left@id-right', async () => {
    const { repos, mail } = setup();
    const err = await thrownAsync(renderMail({ mail, messageId: '<bad id>', blobs: repos.blobs }));
    expect(err.code).toBe('E_TRANSPORT_PERMANENT');
  });
});

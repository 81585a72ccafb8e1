import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/store/blob-repository.js';
import { freshRepos, newTicket, T0, thrown } from './helpers.js';

// CRLF, a bare LF, an 8-bit byte that is not UTF-8 and a NUL: all must survive byte for byte.
const RAW = Buffer.concat([
  Buffer.from('From: Ann <ann@client.example>\r\nSubject: [TID#1] Help\r\nMessage-ID: <a1@client.example>\r\n\r\nHallo \n'),
  Buffer.from([0xe4, 0x00, 0xff]),
  Buffer.from('\r\n'),
]);

describe('message repository', () => {
  it('keeps the raw bytes exactly and the parsed fields', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const { id, rawSha256 } = repos.messages.addMessage({
      ticketId: tid,
      direction: 'in',
      kind: 'client',
      messageId: 'a1@client.example',
      inReplyTo: 'x@desk.example',
      references: ['r1@desk.example', 'x@desk.example'],
      fromAddr: 'ann@client.example',
      fromName: 'Ann',
      to: ['support@desk.example'],
      cc: ['bob@client.example'],
      subject: '[TID#1] Help',
      dateHeader: T0 - 1000,
      receivedAt: T0,
      raw: RAW,
      textBody: 'Hallo\n> quoted',
      visibleText: 'Hallo',
    });
    expect(rawSha256).toBe(sha256Hex(RAW));
    expect(repos.messages.getRaw(id)?.equals(RAW)).toBe(true);
    expect(repos.messages.getMessage(id)).toEqual({
      id,
      ticketId: tid,
      direction: 'in',
      visibility: 'public',
      kind: 'client',
      messageId: 'a1@client.example',
      inReplyTo: 'x@desk.example',
      references: ['r1@desk.example', 'x@desk.example'],
      fromAddr: 'ann@client.example',
      fromName: 'Ann',
      to: ['support@desk.example'],
      cc: ['bob@client.example'],
      subject: '[TID#1] Help',
      dateHeader: T0 - 1000,
      receivedAt: T0,
      size: RAW.length,
      rawSha256,
      textBody: 'Hallo\n> quoted',
      htmlBody: null,
      visibleText: 'Hallo',
      redactedAt: null,
    });
  });

  it('stores internal outbound notes and lists a ticket in order', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const other = newTicket(repos).tid;
    const a = repos.messages.addMessage({ ticketId: tid, direction: 'in', kind: 'client', receivedAt: T0, raw: Buffer.from('a') }).id;
    repos.messages.addMessage({ ticketId: other, direction: 'in', kind: 'client', receivedAt: T0, raw: Buffer.from('x') });
    const b = repos.messages.addMessage({
      ticketId: tid, direction: 'out', visibility: 'internal', kind: 'note', receivedAt: T0 + 1, raw: Buffer.from('b'),
    }).id;
    const list = repos.messages.listByTicket(tid);
    expect(list.map((m) => m.id)).toEqual([a, b]);
    expect(list[1]).toMatchObject({ direction: 'out', visibility: 'internal', kind: 'note', references: [], to: [], cc: [] });
  });

  it('finds messages by Message-ID, newest first', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const first = repos.messages.addMessage({ ticketId: tid, direction: 'out', kind: 'ack', messageId: 'm@desk', receivedAt: T0, raw: Buffer.from('1') }).id;
    const second = repos.messages.addMessage({ ticketId: tid, direction: 'out', kind: 'ack', messageId: 'm@desk', receivedAt: T0, raw: Buffer.from('2') }).id;
    expect(repos.messages.findByMessageId('m@desk').map((m) => m.id)).toEqual([second, first]);
    expect(repos.messages.findByMessageId('nope@desk')).toEqual([]);
  });

  it('shares one blob between two messages with the same bytes', () => {
    const repos = freshRepos();
    const a = repos.messages.addMessage({ ticketId: null, direction: 'in', kind: 'bounce', receivedAt: T0, raw: RAW });
    const b = repos.messages.addMessage({ ticketId: null, direction: 'in', kind: 'bounce', receivedAt: T0, raw: RAW });
    expect(a.id).not.toBe(b.id);
    expect(a.rawSha256).toBe(b.rawSha256);
    expect(repos.db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(1);
  });

  it('enforces the ticket foreign key and leaves no orphan blob behind', () => {
    const repos = freshRepos();
    const err = thrown(() => repos.messages.addMessage({ ticketId: 99, direction: 'in', kind: 'client', receivedAt: T0, raw: RAW }));
    expect(err.message).toMatch(/FOREIGN KEY constraint failed/);
    expect(repos.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    expect(repos.blobs.has(sha256Hex(RAW))).toBe(false);
  });

  it('refuses an unknown direction or visibility', () => {
    const repos = freshRepos();
    expect(() => repos.messages.addMessage({ ticketId: null, direction: 'up' as never, kind: 'client', receivedAt: T0, raw: RAW })).toThrow(
      /CHECK constraint failed/,
    );
    expect(() =>
      repos.messages.addMessage({ ticketId: null, direction: 'in', visibility: 'hidden' as never, kind: 'client', receivedAt: T0, raw: RAW }),
    ).toThrow(/CHECK constraint failed/);
  });

  it('stores attachments content-addressed, deduplicated across messages', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const m1 = repos.messages.addMessage({ ticketId: tid, direction: 'in', kind: 'client', receivedAt: T0, raw: Buffer.from('m1') }).id;
    const m2 = repos.messages.addMessage({ ticketId: tid, direction: 'in', kind: 'client', receivedAt: T0, raw: Buffer.from('m2') }).id;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const a1 = repos.messages.addAttachment({ messageId: m1, content: png, filename: 'shot.png', contentType: 'image/png', disposition: 'attachment' });
    const a2 = repos.messages.addAttachment({ messageId: m2, content: png, filename: 'again.png', contentType: 'image/png' });
    expect(a1).toMatchObject({ messageId: m1, sha256: sha256Hex(png), filename: 'shot.png', contentType: 'image/png', size: png.length, disposition: 'attachment' });
    expect(a2.sha256).toBe(a1.sha256);
    expect(repos.messages.listAttachments(m1)).toEqual([a1]);
    expect(repos.blobs.get(a1.sha256)?.equals(png)).toBe(true);
    // two raw messages + one attachment body
    expect(repos.db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(3);
    expect(() => repos.messages.addAttachment({ messageId: 12345, content: png, contentType: 'image/png' })).toThrow(/FOREIGN KEY constraint failed/);
  });
});

describe('message repository: replacing raw bytes (redaction)', () => {
  const OTHER = Buffer.from('From: Ann <ann@client.example>\r\n\r\nPassword: ********\r\n');

  it('points the message at the new bytes and drops the old ones when nothing else refers to them', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const { id, rawSha256 } = repos.messages.addMessage({ ticketId: tid, direction: 'in', kind: 'client', receivedAt: T0, raw: RAW });
    expect(repos.messages.replaceRaw(id, OTHER)).toEqual({ from: rawSha256, to: sha256Hex(OTHER) });
    expect(repos.messages.getRaw(id)).toEqual(OTHER);
    expect(repos.messages.getMessage(id)!.size).toBe(OTHER.length);
    expect(repos.blobs.has(rawSha256)).toBe(false);
    // The same bytes again change nothing.
    expect(repos.messages.replaceRaw(id, OTHER)).toBeUndefined();
  });

  it('keeps old bytes that another message or an attachment still refers to', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const a = repos.messages.addMessage({ ticketId: tid, direction: 'in', kind: 'client', receivedAt: T0, raw: RAW });
    const b = repos.messages.addMessage({ ticketId: null, direction: 'in', kind: 'client', receivedAt: T0, raw: RAW });
    repos.messages.replaceRaw(a.id, OTHER);
    expect(repos.messages.getRaw(b.id)).toEqual(RAW);

    const c = repos.messages.addMessage({ ticketId: tid, direction: 'in', kind: 'client', receivedAt: T0, raw: Buffer.from('x\r\n\r\ny') });
    repos.messages.addAttachment({ messageId: c.id, content: OTHER, contentType: 'message/rfc822' });
    repos.messages.replaceRaw(a.id, RAW);
    // OTHER is no message's raw any more, but an attachment's content.
    expect(repos.blobs.has(sha256Hex(OTHER))).toBe(true);
    expect(repos.blobs.deleteIfUnreferenced(sha256Hex(OTHER))).toBe(false);
  });
});

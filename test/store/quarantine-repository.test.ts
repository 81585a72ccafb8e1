import { describe, expect, it } from 'vitest';
import { freshRepos, T0 } from './helpers.js';

const RAW = Buffer.concat([Buffer.from('Subject: =?broken?=\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x00, 0x80])]);

describe('quarantine repository', () => {
  it('keeps the raw bytes and the reason', () => {
    const { quarantine } = freshRepos();
    const id = quarantine.add({
      receivedAt: T0,
      source: 'imap:support@host/INBOX',
      sourceKey: 'src:imap:support@host/INBOX:1:7',
      reasonCode: 'E_MESSAGE_UNPARSEABLE',
      reason: 'header block not terminated',
      raw: RAW,
    });
    const q = quarantine.get(id);
    expect(q?.raw?.equals(RAW)).toBe(true);
    expect(q).toMatchObject({
      id,
      receivedAt: T0,
      source: 'imap:support@host/INBOX',
      sourceKey: 'src:imap:support@host/INBOX:1:7',
      reasonCode: 'E_MESSAGE_UNPARSEABLE',
      reason: 'header block not terminated',
      size: RAW.length,
      status: 'held',
      reprocessedAt: null,
    });
    expect(quarantine.get(id + 1)).toBeUndefined();
  });

  it('keeps a message too large to load by reference: its size and where it is, no bytes', () => {
    const { quarantine } = freshRepos();
    const id = quarantine.add({
      receivedAt: T0,
      source: 'maildir:/srv/inbox',
      sourceKey: '1700000001.M1P1.host',
      reasonCode: 'E_MESSAGE_TOO_LARGE',
      reason: 'too large',
      reference: { size: 2 ** 31 + 1, original: '/srv/inbox/cur/1700000001.M1P1.host:2,S' },
    });
    expect(quarantine.get(id)).toMatchObject({ size: 2 ** 31 + 1, raw: null, original: '/srv/inbox/cur/1700000001.M1P1.host:2,S' });
    expect(quarantine.list()[0]).toMatchObject({ id, original: '/srv/inbox/cur/1700000001.M1P1.host:2,S' });
    expect(() => quarantine.add({ receivedAt: T0, source: 'stdin', reasonCode: 'x', reason: 'neither' })).toThrow(/either its raw bytes or a reference/);
  });

  it('lists entries without their bytes, filtered by status', () => {
    const { quarantine } = freshRepos();
    const a = quarantine.add({ receivedAt: T0, source: 'stdin', reasonCode: 'spam', reason: 'X-Spam-Flag: YES', raw: Buffer.from('a') });
    const b = quarantine.add({ receivedAt: T0 + 1, source: 'stdin', reasonCode: 'E_MESSAGE_TOO_LARGE', reason: '60 MB', raw: Buffer.from('b') });
    expect(quarantine.setStatus(a, 'reprocessed', T0 + 5)).toBe(true);
    const all = quarantine.list();
    expect(all.map((e) => e.id)).toEqual([a, b]);
    expect(all[0]).not.toHaveProperty('raw');
    expect(all[0]).toMatchObject({ status: 'reprocessed', reprocessedAt: T0 + 5 });
    expect(quarantine.list({ status: 'held' }).map((e) => e.id)).toEqual([b]);
    expect(quarantine.list({ limit: 1 }).map((e) => e.id)).toEqual([a]);
    expect(quarantine.setStatus(b, 'discarded', T0 + 6)).toBe(true);
    expect(quarantine.list({ status: 'discarded' })[0]).toMatchObject({ id: b, reprocessedAt: null });
    expect(() => quarantine.setStatus(b, 'lost' as never, T0)).toThrow(/CHECK constraint failed/);
  });

  it('deletes an entry once', () => {
    const { quarantine } = freshRepos();
    const id = quarantine.add({ receivedAt: T0, source: 'stdin', reasonCode: 'spam', reason: 'spam', raw: Buffer.from('a') });
    expect(quarantine.delete(id)).toBe(true);
    expect(quarantine.delete(id)).toBe(false);
    expect(quarantine.get(id)).toBeUndefined();
    expect(quarantine.list()).toEqual([]);
  });
});

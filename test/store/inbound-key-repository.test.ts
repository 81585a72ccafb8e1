import { describe, expect, it } from 'vitest';
import { freshRepos, T0 } from './helpers.js';

describe('inbound key repository', () => {
  it('accepts a key once; the second insert reports it as seen', () => {
    const { inboundKeys } = freshRepos();
    const key = 'src:imap:support@127.0.0.1/INBOX:1700000000:42';
    expect(inboundKeys.hasInboundKey(key)).toBe(false);
    expect(inboundKeys.tryInsertInboundKey(key, T0)).toBe(true);
    expect(inboundKeys.tryInsertInboundKey(key, T0 + 1)).toBe(false);
    expect(inboundKeys.hasInboundKey(key)).toBe(true);
    expect(inboundKeys.getInboundKey(key)).toEqual({ key, messageId: null, quarantineId: null, at: T0 });
  });

  it('is a no-op when the transaction that inserted the key rolls back (crash before commit)', () => {
    const repos = freshRepos();
    expect(() =>
      repos.transaction(() => {
        repos.inboundKeys.tryInsertInboundKey('mid:a@b', T0);
        throw new Error('crash');
      }),
    ).toThrow('crash');
    expect(repos.inboundKeys.tryInsertInboundKey('mid:a@b', T0)).toBe(true);
  });

  it('links a key to the message it produced; an unknown message is refused', () => {
    const repos = freshRepos();
    const { id } = repos.messages.addMessage({ ticketId: null, direction: 'in', kind: 'client', receivedAt: T0, raw: Buffer.from('x') });
    repos.inboundKeys.tryInsertInboundKey('mid:a@b', T0);
    expect(repos.inboundKeys.linkInboundKey('mid:a@b', { messageId: id })).toBe(true);
    expect(repos.inboundKeys.getInboundKey('mid:a@b')?.messageId).toBe(id);
    expect(repos.inboundKeys.linkInboundKey('mid:unknown', { messageId: id })).toBe(false);
    expect(() => repos.inboundKeys.tryInsertInboundKey('mid:c@d', T0, { messageId: 9999 })).toThrow(/FOREIGN KEY constraint failed/);
  });

  it('keeps deduplicating after the quarantine entry it pointed at is deleted', () => {
    const repos = freshRepos();
    const q = repos.quarantine.add({ receivedAt: T0, source: 'stdin', reasonCode: 'E_MESSAGE_UNPARSEABLE', reason: 'bad', raw: Buffer.from('junk') });
    expect(repos.inboundKeys.tryInsertInboundKey('sha256:abc', T0, { quarantineId: q })).toBe(true);
    expect(repos.quarantine.delete(q)).toBe(true);
    expect(repos.inboundKeys.getInboundKey('sha256:abc')).toMatchObject({ quarantineId: null });
    expect(repos.inboundKeys.tryInsertInboundKey('sha256:abc', T0)).toBe(false);
  });
});

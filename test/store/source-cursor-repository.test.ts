import { describe, expect, it } from 'vitest';
import { freshRepos, T0 } from './helpers.js';

describe('source cursor repository', () => {
  it('has no cursor for a new source, then remembers and updates it', () => {
    const { cursors } = freshRepos();
    const src = 'imap:support@desk.example@127.0.0.1/INBOX';
    expect(cursors.getCursor(src)).toBeUndefined();
    cursors.setCursor(src, { uidvalidity: 1700000000, lastUid: 10 }, T0);
    expect(cursors.getCursor(src)).toEqual({ source: src, uidvalidity: 1700000000, lastUid: 10, updatedAt: T0 });
    cursors.setCursor(src, { uidvalidity: 1700000000, lastUid: 11 }, T0 + 1);
    expect(cursors.getCursor(src)).toMatchObject({ lastUid: 11, updatedAt: T0 + 1 });
    // new UIDVALIDITY: the caller starts again
    cursors.setCursor(src, { uidvalidity: 1800000000, lastUid: 0 }, T0 + 2);
    expect(cursors.getCursor(src)).toMatchObject({ uidvalidity: 1800000000, lastUid: 0 });
  });

  it('keeps sources apart and allows a source without UIDVALIDITY', () => {
    const { cursors } = freshRepos();
    cursors.setCursor('imap:a/INBOX', { uidvalidity: 1, lastUid: 5 }, T0);
    cursors.setCursor('maildir:./data/inbox', { uidvalidity: null, lastUid: 0 }, T0);
    expect(cursors.getCursor('imap:a/INBOX')?.lastUid).toBe(5);
    expect(cursors.getCursor('maildir:./data/inbox')).toMatchObject({ uidvalidity: null, lastUid: 0 });
  });

  it('refuses a negative UID', () => {
    const { cursors } = freshRepos();
    expect(() => cursors.setCursor('x', { uidvalidity: 1, lastUid: -1 }, T0)).toThrow(/CHECK constraint failed/);
  });
});

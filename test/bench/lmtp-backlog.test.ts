import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { forLmtp, generateBacklog } from '../../bench/ingest.js';

// bench/ingest.ts over LMTP: the daemon numbers tickets in its own commit order, so the bench
// re-quotes each reply with the TID the daemon gave; the message must stay the same otherwise.
describe('the ingest bench backlog as an MTA hands it over LMTP', () => {
  const backlog = generateBacklog(1500, 1, Date.UTC(2026, 11, 2, 9));
  const quoted = [...backlog.quotes.entries()];

  it('quotes the TID given, in plain and encoded subjects, and changes nothing else but the Return-Path', async () => {
    expect(quoted.some(([, q]) => /[^\x20-\x7e]/.test(q.subject))).toBe(true);
    for (const [i, q] of quoted) {
      const raw = backlog.messages[i]!;
      const moved = forLmtp(raw, q, q.tid + 1000);
      const [was, now] = await Promise.all([simpleParser(raw), simpleParser(moved)]);
      expect(now.subject).toBe(was.subject!.replace(`[TID#${q.tid}]`, `[TID#${q.tid + 1000}]`));
      expect(now.subject).not.toContain(`[TID#${q.tid}]`);
      expect(now.headers.has('return-path')).toBe(false);
      expect(now.messageId).toBe(was.messageId);
      expect(now.text).toBe(was.text);
      expect(now.attachments.map((a) => a.checksum)).toEqual(was.attachments.map((a) => a.checksum));
    }
  });

  it('only drops the Return-Path line when the TID is the one generated', () => {
    for (const [i, q] of quoted.slice(0, 50)) {
      const raw = backlog.messages[i]!;
      const eol = raw.indexOf('\r\n');
      expect(raw.subarray(0, eol).toString()).toMatch(/^Return-Path: </);
      expect(forLmtp(raw, q, q.tid).equals(raw.subarray(eol + 2))).toBe(true);
    }
  });

  it('names, for every message, the message that opened the ticket it belongs to', () => {
    const openers = new Set(backlog.openers.map((o) => o.messageId));
    expect(openers.size).toBe(backlog.tickets);
    expect(backlog.rootOf.size).toBe(backlog.messages.length);
    let replies = 0;
    for (const [mid, root] of backlog.rootOf) {
      expect(openers.has(root)).toBe(true);
      // the generator's own TIDs agree: a message ends on the ticket its root opened
      expect(backlog.expectedTid.get(mid)).toBe(backlog.expectedTid.get(root));
      if (mid !== root) replies += 1;
    }
    expect(replies).toBe(backlog.replies);
    for (const [, o] of backlog.openers.entries()) expect(backlog.messages[o.index]!.includes(`Message-ID: <${o.messageId}>`)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { checkHealth, OUTBOX_STUCK_AFTER_MS } from '../../src/app/http-server.js';
import { createMetrics } from '../../src/app/metrics.js';
import type { MailSource, SourceStatus } from '../../src/sources/mail-source.js';
import { freshRepos, T0 } from '../store/helpers.js';

const sourceIn = (s: SourceStatus): MailSource => ({ start: async () => undefined, stop: async () => undefined, status: () => s });

describe('checkHealth', () => {
  it('is ok with a writable database, a connected source and no overdue mail', () => {
    const repos = freshRepos();
    const h = checkHealth({ repos, dbPath: ':memory:', source: () => sourceIn({ state: 'connected', reconnects: 0, lagMs: 0 }), now: () => T0 });
    expect(h).toEqual({ ok: true, checks: [expect.objectContaining({ name: 'database', ok: true }), expect.objectContaining({ name: 'source', ok: true }), expect.objectContaining({ name: 'outbox', ok: true })] });
  });

  it('names a reconnecting source with its error, and an outbox stuck past the limit', () => {
    const repos = freshRepos();
    repos.outbox.enqueueOutbox({ kind: 'ack', messageId: 'a@x', recipients: ['ann@client.example'], subject: 's', mail: {}, at: T0 });
    const source = () => sourceIn({ state: 'reconnecting', lastError: 'connect ECONNREFUSED', reconnects: 3, lagMs: 0 });
    const fresh = checkHealth({ repos, dbPath: ':memory:', source, now: () => T0 + OUTBOX_STUCK_AFTER_MS });
    expect(fresh.checks.find((c) => c.name === 'outbox')!.ok).toBe(true);
    const h = checkHealth({ repos, dbPath: ':memory:', source, now: () => T0 + OUTBOX_STUCK_AFTER_MS + 1000 });
    expect(h.ok).toBe(false);
    expect(h.checks.find((c) => c.name === 'source')).toEqual({ name: 'source', ok: false, detail: 'reconnecting: connect ECONNREFUSED' });
    expect(h.checks.find((c) => c.name === 'outbox')).toMatchObject({ ok: false, detail: expect.stringMatching(/oldest pending mail due 601 s ago/) });
  });

  it('a daemon without a source (stdin) is healthy; metrics read depth and reconnects at scrape time', async () => {
    const repos = freshRepos();
    expect(checkHealth({ repos, dbPath: ':memory:', source: () => undefined, now: () => T0 }).ok).toBe(true);
    repos.outbox.enqueueOutbox({ kind: 'ack', messageId: 'b@x', recipients: ['ann@client.example'], subject: 's', mail: {}, at: T0 });
    const m = createMetrics({ repos, source: () => sourceIn({ state: 'connected', reconnects: 4, lagMs: 2500 }) });
    const text = await m.registry.metrics();
    expect(text).toMatch(/^tidings_outbox_depth 1$/m);
    expect(text).toMatch(/^tidings_imap_reconnects_total 4$/m);
    expect(text).toMatch(/^tidings_source_lag_seconds 2.5$/m);
    // A second registry does not collide with the first (one per daemon).
    expect(await createMetrics({ repos, source: () => undefined }).registry.metrics()).toMatch(/^tidings_imap_reconnects_total 0$/m);
  });
});

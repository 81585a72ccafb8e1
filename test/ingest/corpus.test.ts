import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, filesUnder } from '../support/corpus.js';
import { openDesk } from './ingest-fixture.js';

const CORPUS = CORPUS_DIR;


/**
 * People in the bounce folder: a user forwarding a bounce to us is a person asking for help, and
 * gets an acknowledgement like anyone else.
 */
const HUMAN_IN_BOUNCES = new Set(['lhost-sendmail-14.eml']);

describe.skipIf(!existsSync(CORPUS))('every message of ../shared/corpus through the ingest pipeline', () => {
  const desk = openDesk({ 'tidings.yaml': `${'mailbox: { address: support@desk.example, name: Support }\nsource: { kind: maildir, path: ./data/inbox }\ntransport: { kind: file, path: ./data/outbox }\nstore: { path: ./data/tidings.db }\ninclude: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]\n'}limits: { auto_replies_per_sender_per_hour: 1000000 }\n` });
  afterAll(() => desk.close());

  it('stores or quarantines each one, and acknowledges no bounce or auto-reply', async () => {
    const files = filesUnder(CORPUS);
    const tally: Record<string, Record<string, number>> = {};
    const acked: string[] = [];
    for (const file of files) {
      const folder = path.relative(CORPUS, file).split(path.sep)[0]!;
      const before = desk.acks().length;
      const out = await desk.ingest(readFileSync(file), { source: 'corpus', key: path.relative(CORPUS, file) });
      expect(['stored', 'quarantined', 'duplicate']).toContain(out.status);
      const kind =
        out.status === 'quarantined'
          ? 'quarantined'
          : out.status === 'duplicate'
            ? 'duplicate'
            : (desk.repos.messages.getMessage(out.messageRowId!)?.kind ?? 'stored');
      tally[folder] ??= {};
      tally[folder][kind] = (tally[folder][kind] ?? 0) + 1;
      if (desk.acks().length > before) acked.push(path.relative(CORPUS, file));
    }
    // Printed so the numbers are visible in the test log.
    console.log(`corpus: ${files.length} files`, JSON.stringify(tally));
    const bounceFolderAcks = acked.filter((f) => f.startsWith('bounces-sisimai/'));
    expect(bounceFolderAcks.map((f) => path.basename(f)).filter((f) => !HUMAN_IN_BOUNCES.has(f))).toEqual([]);
    expect(tally['bounces-sisimai']!.bounce).toBeGreaterThan(550);
    expect(tally['bounces-sisimai']!.automated).toBeGreaterThan(20);
    // Every quarantined entry keeps its raw bytes (some corpus files are empty) and a reason.
    const quarantined = desk.repos.quarantine.list({ limit: 10_000 });
    expect(quarantined.length).toBe(Object.values(tally).reduce((s, t) => s + (t.quarantined ?? 0), 0));
    for (const q of quarantined) {
      expect(q.reason).not.toBe('');
      expect(desk.repos.quarantine.get(q.id)!.raw?.length).toBe(q.size);
    }
    // A duplicate is a second copy of a mail already stored (same Message-ID and body, other trace headers).
    const total = Object.values(tally).reduce((s, t) => s + Object.values(t).reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(files.length);
  });
});

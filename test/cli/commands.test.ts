import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openStore } from '../../src/app/open-store.js';
import { memoryIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createOutboxLoop } from '../../src/outbox/outbox-loop.js';
import type { MailTransport } from '../../src/outbox/transport.js';
import { packageRoot } from '../../src/paths.js';
import { writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { STAFF_YAML } from '../ingest/staff-fixture.js';

const dirs: ConfigDir[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.remove();
});

function configDir(overrides: Record<string, string | null> = {}): ConfigDir {
  const d = writeConfigDir(overrides);
  dirs.push(d);
  return d;
}

async function run(d: ConfigDir, args: string[], now?: number) {
  const io = memoryIo({}, d.dir, now);
  const code = await runCli(['--config', d.main, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('tidings migrate and doctor', () => {
  it('doctor --offline passes on a fresh install: the database will be created on first run', async () => {
    const d = configDir();
    const fresh = await run(d, ['doctor', '--offline']);
    expect(fresh.code).toBe(0);
    expect(fresh.out).toMatch(/ok   database: .*tidings\.db will be created on first run/);
    expect(fresh.out).toContain('all checks passed');
    // doctor only looks: it creates nothing, so the first `run` still starts from nothing
    expect(existsSync(path.join(d.dir, 'data'))).toBe(false);

    const m = await run(d, ['migrate']);
    expect(m.code).toBe(0);
    expect(m.out).toMatch(/migrated 0 → \d+ \(0001_initial/);
    const again = await run(d, ['migrate', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ applied: [] });

    const after = await run(d, ['doctor', '--json']);
    expect(after.code).toBe(0);
    const report = JSON.parse(after.out) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['config', 'database', 'data dir', 'maildir inbox', 'file outbox']));
    expect(report.checks.find((c) => c.name === 'database')?.detail).toMatch(/schema version \d+ is current/);
  });

  it('doctor still fails on a database it cannot open and on a schema newer than the code', async () => {
    const d = configDir();
    mkdirSync(path.join(d.dir, 'data'));
    writeFileSync(path.join(d.dir, 'data/tidings.db'), 'not a database, just some text that is long enough to be read as a header');
    const junk = await run(d, ['doctor', '--offline']);
    expect(junk.code).toBe(1);
    expect(junk.out).toMatch(/FAIL database: /);

    rmSync(path.join(d.dir, 'data/tidings.db'));
    expect((await run(d, ['migrate'])).code).toBe(0);
    const db = new Database(path.join(d.dir, 'data/tidings.db'));
    db.pragma('user_version = 9999');
    db.close();
    const tooNew = await run(d, ['doctor', '--offline']);
    expect(tooNew.code).toBe(1);
    expect(tooNew.out).toMatch(/FAIL database: .*schema version 9999, newer than this tidings .*E_SCHEMA_TOO_NEW/);
  });

  it('doctor reports an invalid config with file:line and exits 1', async () => {
    const d = configDir({ 'calendars.yaml': 'calendars:\n  berlin:\n    zone: Nowhere/City\n    week: { mon: ["09:00-18:00"] }\n' });
    const r = await run(d, ['doctor']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL config: calendars.yaml:3 calendars.berlin.zone: unknown IANA time zone "Nowhere/City"');
  });

  it('doctor reports a missing secret and an unwritable data dir', async () => {
    const d = configDir({
      'tidings.yaml': `mailbox: { address: support@desk.example }
source: { kind: imap, host: 127.0.0.1, user: support, password_env: TIDINGS_TEST_NO_SUCH_VAR }
transport: { kind: file, path: ./ro/outbox }
store: { path: ./data/tidings.db }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
    });
    mkdirSync(path.join(d.dir, 'ro/outbox'), { recursive: true });
    chmodSync(path.join(d.dir, 'ro/outbox'), 0o500);
    const r = await run(d, ['doctor']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL imap password: not set (looked in env TIDINGS_TEST_NO_SUCH_VAR)');
    // root ignores file modes, so only assert the outbox check when not running as root
    if (process.getuid?.() !== 0) expect(r.out).toMatch(/FAIL file outbox: .* is not writable/);
    chmodSync(path.join(d.dir, 'ro/outbox'), 0o700);
  });
});

describe('tidings calendar', () => {
  it('prints working intervals, holidays and totals', async () => {
    const d = configDir();
    const r = await run(d, ['calendar', 'berlin', '--from', '2026-12-23', '--days', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('2026-12-23 wed  09:00-18:00');
    expect(r.out).toMatch(/2026-12-24 thu  closed .*\[holiday/);
    expect(r.out).toContain('working time in range: 18h');
  });

  it('shows DST days in local time and as data', async () => {
    const d = configDir();
    const r = await run(d, ['calendar', 'berlin', '--from', '2026-03-27', '--days', '4', '--json']);
    const data = JSON.parse(r.out) as { days: { date: string; intervals: { startMs: number }[] }[] };
    const fri = data.days.find((x) => x.date === '2026-03-27')!;
    const mon = data.days.find((x) => x.date === '2026-03-30')!;
    expect(new Date(fri.intervals[0]!.startMs).toISOString()).toBe('2026-03-27T08:00:00.000Z'); // CET
    expect(new Date(mon.intervals[0]!.startMs).toISOString()).toBe('2026-03-30T07:00:00.000Z'); // CEST
  });

  it('refuses an unknown calendar and bad arguments', async () => {
    const d = configDir();
    expect((await run(d, ['calendar', 'paris'])).err).toContain('E_CALENDAR_UNKNOWN');
    const bad = await run(d, ['calendar', 'berlin', '--from', '2026-13-01']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--from must be a date');
    expect((await run(d, ['calendar', 'berlin', '--days', '0'])).code).toBe(2);
  });
});

describe('tidings sla explain', () => {
  it('explains a licensed sender: licence, rule, level, deadline in zone and UTC, intervals', async () => {
    const d = configDir();
    // Fri 2026-11-27 17:00 Berlin + 24h business: Fri 1h, Mon 9h, Tue 9h, Wed 5h → Wed 2026-12-02 14:00
    const r = await run(d, ['sla', 'explain', '--from', 'Ann@Client.example', '--at', '2026-11-27T17:00']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('licence   BX-1001 (commercial, self-hosted, ACME Ltd)');
    expect(r.out).toContain('rule      #1');
    expect(r.out).toContain('level     commercial');
    expect(r.out).toContain('deadline  2026-12-02 14:00 GMT+1 (Europe/Berlin)');
    expect(r.out).toContain('2026-12-02T13:00:00Z');
    expect(r.out).toContain('2026-11-27 17:00-18:00  1h');
    expect(r.out).toContain('total 24h');
  });

  it('gives an unknown sender the fallback level with a reason, as JSON', async () => {
    const d = configDir();
    const r = await run(d, ['sla', 'explain', '--from', 'stranger@nowhere.example', '--at', '2026-11-28T10:00:00+01:00', '--json']);
    const data = JSON.parse(r.out) as { level: { key: string }; reason: { code: string }; deadline: { utc: string }; licence: unknown };
    expect(data.licence).toBeNull();
    expect(data.level.key).toBe('non-commercial');
    expect(data.reason.code).toBe('no-licence');
    // Sat → counts from Mon 09:00; 48h = 5 days of 9h + 3h → Mon 2026-12-07 12:00 CET
    expect(data.deadline.utc).toBe('2026-12-07T11:00:00Z');
  });

  it('refuses an invalid address and an invalid instant', async () => {
    const d = configDir();
    const a = await run(d, ['sla', 'explain', '--from', 'not-an-address', '--at', '2026-11-27T17:00']);
    expect(a.code).toBe(1);
    expect(a.err).toContain('E_ADDRESS_INVALID');
    const b = await run(d, ['sla', 'explain', '--from', 'ann@client.example', '--at', 'friday']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('--at must be an ISO date-time');
  });
});

describe('tidings show and queue', () => {
  it('report an unknown ticket and an empty queue', async () => {
    const d = configDir();
    const s = await run(d, ['show', 'TID#7']);
    expect(s.code).toBe(1);
    expect(s.err).toContain('E_TICKET_NOT_FOUND');
    const q = await run(d, ['queue']);
    expect(q.code).toBe(0);
    expect(q.out).toContain('no open tickets');
  });
});

describe('shipped configurations', () => {
  const root = packageRoot();
  const files = ['config/tidings.yaml', ...['000-bitrix24', '001-site-manager', '002-1c-bitrix', '003-partner'].map((p) => `config/examples/${p}/tidings.yaml`)];
  it.each(files)('%s passes check-config', async (file) => {
    expect(existsSync(path.join(root, file))).toBe(true);
    const io = memoryIo({}, root);
    const code = await runCli(['check-config', file], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
  });

  it('usage errors exit 2 and --help exits 0', async () => {
    const io = memoryIo({}, root);
    expect(await runCli(['no-such-command'], io)).toBe(2);
    expect(await runCli(['--help'], memoryIo({}, root))).toBe(0);
  });
});

describe('tidings ingest, show, queue and reprocess on a real database', () => {
  const hello = Buffer.from(
    'From: Ann Client <ann@client.example>\r\nTo: support@desk.example\r\nSubject: Cannot log in\r\nMessage-ID: <cli-1@client.example>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\nHello, I cannot log in.\r\n',
  );
  const at = Date.parse('2026-11-23T10:00:00+01:00');

  async function runWith(d: ConfigDir, args: string[], stdin?: Buffer, now = at) {
    const io = memoryIo({ TIDINGS_LOG_LEVEL: 'silent' }, d.dir, now);
    if (stdin) io.stdin = stdin;
    const code = await runCli(['--config', d.main, ...args], io);
    return { code, out: io.stdout, err: io.stderr };
  }

  it('stores a piped message (exit 0), shows it, queues it with business time left', async () => {
    const d = configDir();
    const r = await runWith(d, ['ingest'], hello);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('stored ticket TID#1');
    expect((await runWith(d, ['ingest'], hello)).out).toContain('duplicate');

    const show = await runWith(d, ['show', '[TID#1]']);
    expect(show.code).toBe(0);
    expect(show.out).toContain('[TID#1] Cannot log in');
    expect(show.out).toContain('level      commercial');
    expect(show.out).toContain('Hello, I cannot log in.');
    expect(show.out).toMatch(/ticket\.created/);
    const json = JSON.parse((await runWith(d, ['show', '1', '--json'])).out) as { ticket: { requester: string } };
    expect(json.ticket.requester).toBe('ann@client.example');

    // Tue 10:00: Mon 10-18 (8h) and Tue 09-10 (1h) used of 24h → 15h left (Tue 10-18, Wed 09-16)
    const q = await runWith(d, ['queue', '--json'], undefined, Date.parse('2026-11-24T10:00:00+01:00'));
    const rows = JSON.parse(q.out) as { tid: number; leftMinutes: number; level: string }[];
    expect(rows).toEqual([expect.objectContaining({ tid: 1, level: 'commercial', leftMinutes: 15 * 60 })]);
  });

  /** Runs the real outbox loop once over the desk's database, with an SMTP server that answers `reply` to RCPT TO. */
  async function deliverWith(d: ConfigDir, reply: { responseCode: number; response: string }, now: number) {
    const repos = openStore(loadConfig(d.main));
    try {
      const refusing: MailTransport = {
        kind: 'refusing',
        send: () => Promise.reject(Object.assign(new Error(`Can't send mail - all recipients were rejected: ${reply.response}`), { code: 'EENVELOPE', command: 'RCPT TO', ...reply })),
        close: () => Promise.resolve(),
      };
      const loop = createOutboxLoop({ repos, transport: refusing, logger: pino({ level: 'silent' }), now: () => now, envelopeFrom: 'support@desk.example' });
      await loop.runOnce();
      await loop.stop();
    } finally {
      repos.db.close();
    }
  }

  it('shows an acknowledgement that failed for good as failed, with the server\'s answer, and one still retried as not yet', async () => {
    const d = configDir();
    expect((await runWith(d, ['ingest'], hello)).code).toBe(0);
    expect((await runWith(d, ['show', '1'])).out).toMatch(/^ack sent {3}not yet \(queued\)$/m);

    await deliverWith(d, { responseCode: 451, response: '451 4.3.0 <ann@client.example>: Temporary lookup failure' }, at + 1000);
    expect((await runWith(d, ['show', '1'])).out).toMatch(/^ack sent {3}not yet \(attempt 1 failed: 451 4\.3\.0 <ann@client\.example>: Temporary lookup failure; retrying\)$/m);

    await deliverWith(d, { responseCode: 550, response: '550 5.1.1 <ann@client.example>: Recipient address rejected: User unknown' }, at + 3_600_000);
    const show = await runWith(d, ['show', '1']);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/^ack sent {3}failed 2026-11-23 11:00 .*\(550 5\.1\.1 <ann@client\.example>: Recipient address rejected: User unknown\)$/m);
    expect(show.out).not.toContain('not yet');
  });

  it('shows an acknowledgement held back by the loop cap, with the reason', async () => {
    const d = configDir();
    expect((await runWith(d, ['ingest'], hello)).code).toBe(0);
    const resent = Buffer.from(hello.toString('latin1').replace('<cli-1@client.example>', '<cli-2@client.example>'), 'latin1');
    expect((await runWith(d, ['ingest'], resent, at + 60_000)).out).toContain('stored ticket TID#2');
    const show = await runWith(d, ['show', '2']);
    expect(show.out).toMatch(/^ack sent {3}held back \(the same request \(subject and text\) from this sender was already acknowledged within the hour: .*\)$/m);
    expect(show.out).toMatch(/ack\.suppressed/);
    expect((await runWith(d, ['show', '1'])).out).toMatch(/^ack sent {3}not yet \(queued\)$/m);
  });

  it('quarantines junk (exit 0), lists it, and reprocessing it again keeps it held (exit 1)', async () => {
    const d = configDir();
    const r = await runWith(d, ['ingest'], Buffer.from('\u0000 not mail'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('quarantined quarantine #1');
    const list = await runWith(d, ['reprocess', '--list']);
    expect(list.out).toMatch(/#1 .* E_MESSAGE_UNPARSEABLE/);
    const again = await runWith(d, ['reprocess', '1']);
    expect(again.code).toBe(1);
    expect(again.out).toContain('#1 still quarantined');
  });

  it('says that an entry kept by reference (too large to load) cannot be reprocessed, and where the original is', async () => {
    const d = configDir();
    expect((await runWith(d, ['migrate'])).code).toBe(0);
    const repos = openStore(loadConfig(d.main));
    const original = path.join(d.dir, 'data/inbox/cur/1700000001.M1P1.host:2,S');
    const id = repos.quarantine.add({ receivedAt: at, source: 'maildir:x', sourceKey: '1700000001.M1P1.host', reasonCode: 'E_MESSAGE_TOO_LARGE', reason: 'too large', reference: { size: 2 ** 31 + 1, original } });
    repos.db.close();
    const list = await runWith(d, ['reprocess', '--list']);
    expect(list.out).toContain(`not stored, kept at ${original}`);
    const r = await runWith(d, ['reprocess', String(id)]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`#${id} cannot be reprocessed from the database: the message was too large to store; the original is kept at ${original}`);
  });

  it('holds a forged staff mail, lists it with its reason, and reprocess releases it as a client message', async () => {
    const d = configDir({ 'staff.yaml': STAFF_YAML });
    const forged = Buffer.from(
      'From: Eve Agent <eve@desk.example>\r\nTo: support@desk.example\r\nSubject: Re: [TID#1] x\r\nMessage-ID: <forged-1@evil.example>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\n#close\r\n',
    );
    expect((await runWith(d, ['ingest'], forged)).out).toContain('quarantined quarantine #1');
    const list = await runWith(d, ['reprocess', '--list']);
    expect(list.out).toMatch(/#1 .* E_STAFF_AUTH_FAILED: eve@desk\.example is in our own name but failed authentication \(no-results/);
    const released = await runWith(d, ['reprocess', '1']);
    expect(released.code).toBe(0);
    expect(released.out).toContain('#1 stored → TID#1');
    const show = JSON.parse((await runWith(d, ['show', '1', '--json'])).out) as { ticket: { requester: string; status: string } };
    expect(show.ticket).toMatchObject({ requester: 'eve@desk.example', status: 'new' });
  });

  it('answers 75 (EX_TEMPFAIL) when it cannot store the message, so the MTA retries', async () => {
    const d = configDir({ 'calendars.yaml': 'calendars: {' });
    const r = await runWith(d, ['ingest'], hello);
    expect(r.code).toBe(75);
  });
});

describe('staff authentication warnings', () => {
  it('check-config and doctor warn when require_auth relies on Authentication-Results at any position', async () => {
    const d = configDir({ 'staff.yaml': STAFF_YAML });
    const check = await run(d, ['check-config']);
    expect(check.code).toBe(0);
    expect(check.out).toContain('warning: staff: require_auth is on but neither trusted_hosts nor verify: dkim is set');
    const doctor = await run(d, ['doctor', '--offline']);
    expect(doctor.out).toMatch(/WARN config: staff: require_auth is on but neither trusted_hosts/);

    const fixed = configDir({ 'staff.yaml': STAFF_YAML.replace('  require_auth: true\n', '  require_auth: true\n  trusted_hosts: [imap.desk.example]\n') });
    expect((await run(fixed, ['check-config'])).out).not.toContain('warning');
    const dkim = configDir({ 'staff.yaml': STAFF_YAML.replace('  authserv_id: mx.desk.example\n', '  verify: dkim\n') });
    const r = await run(dkim, ['check-config', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, warnings: [] });
  });
});

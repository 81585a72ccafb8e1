/**
 * Escalation scan: a file database (WAL, synchronous=full, as the daemon runs it) with 1,000,000
 * tickets, a realistic mix: 1 in 7 open with a running clock (about 143,000), the rest closed. Every
 * ticket has its escalation_notices rows (75 %, 100 %, two repeats): the closed tickets' rows sent
 * or cancelled long ago, the open tickets' rows spread over six days around "now" — those due before
 * the previous tick already sent, the rest pending. About 2.6 million notice rows in all.
 *
 * Measured (each on a fresh copy of the pending state, i.e. the claimed rows are put back):
 *   tick      a regular scan: what became due since the previous tick (tick_seconds = 60)
 *   backlog   a catch-up scan after 10 minutes down, one batch (escalation.batch = 500)
 *   query     the due-notice query alone (partial index escalation_pending_due)
 * A scan includes reading the due notices, the ticket, the working time left, the claim, rendering
 * the notice, the outbox row and the event, and the commit (one fsync per batch).
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/escalation.js
 * Environment: TIDINGS_BENCH_TICKETS=1000000, TIDINGS_BENCH_DB=<path> (kept; default a temp dir, removed),
 *   TIDINGS_BENCH_VERBOSE=1 (every run's time), TIDINGS_BENCH_CHECKPOINT=1 (checkpoint between runs, untimed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { buildServiceLevels } from '../src/app/service-levels.js';
import { loadConfig } from '../src/config/load-config.js';
import { runEscalationScan, type EscalationDeps } from '../src/escalation/escalation-scan.js';
import { migrate } from '../src/store/migrate.js';
import { openDatabase } from '../src/store/open-database.js';
import { createRepositories } from '../src/store/repositories.js';

const TICKETS = Number(process.env.TIDINGS_BENCH_TICKETS ?? 1_000_000);
const dir = mkdtempSync(path.join(tmpdir(), 'tidings-bench-esc-'));
const dbFile = process.env.TIDINGS_BENCH_DB ?? path.join(dir, 'tidings.db');

writeFileSync(
  path.join(dir, 'tidings.yaml'),
  `mailbox: { address: support@desk.example, name: Support }
source: { kind: stdin }
transport: { kind: file, path: ./outbox }
store: { path: ${JSON.stringify(dbFile)} }
calendars:
  berlin:
    zone: Europe/Berlin
    week: { mon: ["09:00-18:00"], tue: ["09:00-18:00"], wed: ["09:00-18:00"], thu: ["09:00-18:00"], fri: ["09:00-18:00"] }
    public_holidays: { country: DE }
levels:
  commercial:
    name: { en: Commercial }
    response: 24h
    clock: business
    calendar: berlin
    escalate:
      - { at: 75%, notify: [assignee, staff] }
      - { at: 100%, notify: [assignee, supervisor], repeat_every: 4h, max_repeats: 2 }
rules:
  - { otherwise: true, level: commercial }
selection: { fallback_level: commercial }
staff:
  require_auth: false
  members:
    - { key: eve, name: Eve, email: eve@desk.example, roles: [agent] }
    - { key: sam, name: Sam, email: sam@desk.example, roles: [supervisor] }
`,
);

const config = loadConfig(path.join(dir, 'tidings.yaml'));
const db = openDatabase(dbFile);
migrate(db);
const repos = createRepositories(db);

const NOW = Date.parse('2026-12-02T13:00:00Z'); // a Wednesday, 14:00 in Berlin
const DAY = 86_400_000;
const HOUR = 3_600_000;

// Build with SQL (a recursive CTE), so generating a million rows takes seconds, not minutes.
const buildStart = process.hrtime.bigint();
db.pragma('synchronous = OFF');
db.exec(`
  CREATE TEMP TABLE seq AS WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${TICKETS}) SELECT i FROM s;
  BEGIN;
  INSERT INTO tickets (id, status, subject, requester, level, cycle, clock_started_at, response_due_at, created_at, updated_at, closed_at, first_response_at, assignee)
  SELECT i,
         CASE WHEN i % 7 = 0 THEN 'awaiting-staff' ELSE 'closed' END,
         'Ticket ' || i, 'client' || (i % 5000) || '@client.example', 'commercial', 1 + (i % 3),
         CASE WHEN i % 7 = 0 THEN ${NOW} - 3 * ${DAY} + (abs(random()) % (6 * ${DAY})) ELSE NULL END,
         NULL,
         ${NOW} - 400 * ${DAY} + i * 30000, ${NOW} - 400 * ${DAY} + i * 30000,
         CASE WHEN i % 7 = 0 THEN NULL ELSE ${NOW} - 400 * ${DAY} + i * 30000 + ${DAY} END,
         CASE WHEN i % 7 = 0 THEN NULL ELSE ${NOW} - 400 * ${DAY} + i * 30000 + 3 * ${HOUR} END,
         CASE WHEN i % 3 = 0 THEN 'eve' ELSE NULL END
  FROM seq;
  -- The open tickets' deadline: 24 business hours are about three calendar days; the notices below are
  -- offsets from it, close enough for the index and the row counts that matter here.
  UPDATE tickets SET response_due_at = clock_started_at + 3 * ${DAY} WHERE status <> 'closed';
  INSERT INTO escalation_notices (ticket_id, cycle, threshold, due_at, sent_at, cancelled_at)
  SELECT t.id, t.cycle, th.label,
         CASE WHEN t.status = 'closed' THEN t.created_at + th.off ELSE t.response_due_at - 3 * ${DAY} + th.off END,
         NULL, NULL
  FROM tickets t
  JOIN (SELECT '75%' AS label, ${Math.round(2.25 * DAY)} AS off UNION ALL SELECT '100%', ${3 * DAY}
        UNION ALL SELECT '100%+1', ${3 * DAY + 4 * HOUR} UNION ALL SELECT '100%+2', ${4 * DAY}) th
    ON t.status <> 'closed' OR th.label IN ('75%', '100%');
  -- History: closed tickets' notices were cancelled (answered in time) or sent (1 in 10 breached).
  UPDATE escalation_notices SET cancelled_at = due_at - 1 WHERE ticket_id % 7 <> 0 AND ticket_id % 10 <> 0;
  UPDATE escalation_notices SET sent_at = due_at WHERE ticket_id % 7 <> 0 AND ticket_id % 10 = 0;
  -- Live: everything due before the previous tick (60 s ago) was sent by it.
  UPDATE escalation_notices SET sent_at = due_at WHERE ticket_id % 7 = 0 AND due_at <= ${NOW - 60_000};
  COMMIT;
  DROP TABLE seq;
  ANALYZE;
`);
db.pragma('wal_checkpoint(TRUNCATE)');
db.pragma('synchronous = FULL');
const buildS = Number(process.hrtime.bigint() - buildStart) / 1e9;
const count = (sql: string): number => (db.prepare(sql).pluck().get() as number) ?? 0;
const notices = count('SELECT count(*) FROM escalation_notices');
const pending = count('SELECT count(*) FROM escalation_notices WHERE sent_at IS NULL AND cancelled_at IS NULL');
const open = count(`SELECT count(*) FROM tickets WHERE status <> 'closed'`);

const deps: EscalationDeps = {
  config,
  levels: buildServiceLevels(config),
  repos,
  logger: pino({ level: 'silent' }),
  hmacKeys: [Buffer.alloc(32, 7)],
  randomBytes: (n) => new Uint8Array(n).map(() => Math.floor(Math.random() * 256)),
};

/** Puts the notices a scan claimed back to pending, and drops its mail, so each run starts alike. */
const mark = (): { outbox: number; events: number } => ({
  outbox: count('SELECT coalesce(max(id), 0) FROM outbox'),
  events: count('SELECT coalesce(max(id), 0) FROM events'),
});
function reset(at: number, before: { outbox: number; events: number }): void {
  db.transaction(() => {
    db.prepare('UPDATE escalation_notices SET sent_at = NULL WHERE sent_at = ?').run(at);
    db.prepare('UPDATE escalation_notices SET cancelled_at = NULL WHERE cancelled_at = ?').run(at);
    db.prepare('DELETE FROM outbox WHERE id > ?').run(before.outbox);
    db.prepare('DELETE FROM events WHERE id > ?').run(before.events);
  }).immediate();
  // TIDINGS_BENCH_CHECKPOINT=1: checkpoint the reset's pages outside the timing, to tell the scan's
  // own cost from a WAL auto-checkpoint (1000 pages) that happens to fall into its commit.
  if (process.env.TIDINGS_BENCH_CHECKPOINT) db.pragma('wal_checkpoint(TRUNCATE)');
}

function measure(label: string, at: number, runs: number): void {
  const times: number[] = [];
  let last = { sent: 0, superseded: 0 };
  for (let r = 0; r < runs; r++) {
    const before = mark();
    const t0 = process.hrtime.bigint();
    const res = runEscalationScan(deps, at);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    last = res;
    reset(at, before);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p90 = times[Math.min(times.length - 1, Math.floor(times.length * 0.9))]!;
  console.log(`${label}: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms over ${runs} runs (${last.sent} notices sent, ${last.superseded} superseded per scan)`);
  if (process.env.TIDINGS_BENCH_VERBOSE) console.log(`  runs (ms, sorted): ${times.map((t) => t.toFixed(1)).join(' ')}`);
}

console.log(`database: ${TICKETS.toLocaleString('en-US')} tickets (${open.toLocaleString('en-US')} open), ${notices.toLocaleString('en-US')} notice rows, ${pending.toLocaleString('en-US')} pending; built in ${buildS.toFixed(1)} s`);
// Warm-up: the calendar's day cache and the statements (the daemon has both warm after its first tick).
measure('warm-up', NOW, 1);
measure('tick (due in the last 60 s)', NOW, 31);
measure('backlog (10 min down, one batch of 500)', NOW + 10 * 60_000, 15);

const q = db.prepare('SELECT ticket_id, cycle, threshold, due_at FROM escalation_notices WHERE sent_at IS NULL AND cancelled_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?');
const plan = db.prepare('EXPLAIN QUERY PLAN SELECT ticket_id, cycle, threshold, due_at FROM escalation_notices WHERE sent_at IS NULL AND cancelled_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?').all(NOW, 500) as { detail: string }[];
const qt: number[] = [];
for (let r = 0; r < 50; r++) {
  const t0 = process.hrtime.bigint();
  q.all(NOW, 500);
  qt.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
qt.sort((a, b) => a - b);
console.log(`due query: median ${qt[25]!.toFixed(3)} ms; plan: ${plan.map((p) => p.detail).join('; ')}`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);

db.close();
if (!process.env.TIDINGS_BENCH_DB) rmSync(dir, { recursive: true, force: true });

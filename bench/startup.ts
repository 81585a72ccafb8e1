/**
 * Startup: how long a freshly started `tidings run` takes to commit its first batch of a Maildir
 * backlog, and all of it. A daemon restarted in a crash loop makes progress only if its first
 * commit comes well before the next crash; the goal is <= 1 s from spawn on a 2-core machine.
 *
 * Run:
 *   npx tsc -p tsconfig.json && node dist/bench/startup.js          (or: npm run bench:startup)
 *
 * Each run gets a new temp dir: N messages in a Maildir's new/ (the ingest bench's generator), a
 * configuration like the embedded default (Maildir source, fsynced file spool, synchronous=full)
 * and a database that does not exist yet (the first start migrates it) unless
 * TIDINGS_BENCH_MIGRATED=1. `node dist/src/cli/main.js run` is spawned as a child; the parent
 * reads the database on its own read-only connection every 5 ms, so "committed" means visible to
 * another process, and takes the daemon's own log times for the milestones in between:
 *   started     the log line daemon.started (the source is listed and the daemon is up)
 *   first       the first message or quarantine row committed
 *   all         N committed
 * Times are from just before spawn (Date.now() on both sides: one machine, one clock).
 *
 * Environment:
 *   TIDINGS_BENCH_N=500             messages in the backlog
 *   TIDINGS_BENCH_RUNS=5            starts measured (the median is reported with min and max)
 *   TIDINGS_BENCH_MIGRATED=0        1: migrate the database before spawning (a restart, not a first start)
 *   TIDINGS_BENCH_HOLIDAYS=         a country code: the calendar also counts its public holidays
 *                                   (loads date-holidays, as config/calendars.yaml's berlin does)
 *   TIDINGS_BENCH_KEEP=1            keep the temp dirs and print them
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { BASE_FILES } from '../test/config/config-fixture.js';
import { generateBacklog } from './ingest.js';
import { envInt } from './env-int.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const HMAC = 'bench-hmac-key-'.padEnd(40, 'x');

interface Run {
  startedMs: number;
  firstMs: number;
  allMs: number;
  exitCode: number | null;
}

/** A config dir like the embedded default's, over `work`. */
function writeConfig(work: string, maildir: string, holidays: string | undefined): string {
  const dir = path.join(work, 'config');
  mkdirSync(dir);
  const calendars = holidays ? BASE_FILES['calendars.yaml']!.replace('    holidays:', `    public_holidays: { country: ${holidays} }\n    holidays:`) : BASE_FILES['calendars.yaml']!;
  const files: Record<string, string> = {
    ...BASE_FILES,
    'calendars.yaml': calendars,
    'tidings.yaml': `mailbox: { address: support@desk.example, name: Support }
source: { kind: maildir, path: ${maildir}, poll_seconds: 300 }
transport: { kind: file, path: ${path.join(work, 'data/outbox')} }
store: { path: ${path.join(work, 'data/tidings.db')}, synchronous: full }
security: { hmac_key_env: TIDINGS_BENCH_HMAC }
http: { enabled: false }
log: { level: info, format: json }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return path.join(dir, 'tidings.yaml');
}

/** Committed messages and quarantine rows, as another process sees them; 0 before the schema exists. */
function committedCounter(dbPath: string): { count: () => number; close: () => void } {
  let db: Database.Database | undefined;
  return {
    count() {
      try {
        db ??= new Database(dbPath, { readonly: true, fileMustExist: true });
        return (db.prepare('SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM quarantine) AS n').get() as { n: number }).n;
      } catch {
        // not created, or not migrated yet
        db?.close();
        db = undefined;
        return 0;
      }
    },
    close: () => db?.close(),
  };
}

async function measure(n: number, messages: Buffer[], dates: Date[], migrated: boolean, holidays: string | undefined, keep: boolean): Promise<Run> {
  const work = mkdtempSync(path.join(tmpdir(), 'tidings-startup-'));
  try {
    const maildir = path.join(work, 'inbox');
    for (const d of ['new', 'cur', 'tmp']) mkdirSync(path.join(maildir, d), { recursive: true });
    messages.forEach((m, i) => {
      const file = path.join(maildir, 'new', `${1_700_000_000 + i}.M${i}P1.bench`);
      writeFileSync(file, m);
      utimesSync(file, dates[i]!, dates[i]!);
    });
    const config = writeConfig(work, maildir, holidays);
    const env = { ...process.env, TIDINGS_BENCH_HMAC: HMAC, TIDINGS_LOG_LEVEL: 'info' };
    if (migrated) {
      const r = spawnSync(process.execPath, [MAIN, '--config', config, 'migrate'], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`migrate failed: ${r.stderr}`);
    }
    const counter = committedCounter(path.join(work, 'data/tidings.db'));
    const t0 = Date.now();
    const child = spawn(process.execPath, [MAIN, '--config', config, 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let startedMs = -1;
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('"daemon.started"')) continue;
        startedMs = (JSON.parse(line) as { time: number }).time - t0;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let firstMs = -1;
    let allMs = -1;
    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));
    while (allMs < 0 && !exitedEarly) {
      const c = counter.count();
      const at = Date.now() - t0;
      if (c > 0 && firstMs < 0) firstMs = at;
      if (c >= n) allMs = at;
      await new Promise((r) => setTimeout(r, 5));
    }
    counter.close();
    child.kill('SIGTERM');
    const exitCode = await exited;
    if (allMs < 0) throw new Error(`the daemon exited (${exitCode}) before committing all ${n} messages: ${stderr}`);
    return { startedMs, firstMs, allMs, exitCode };
  } finally {
    if (keep) console.log(`kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const n = envInt('TIDINGS_BENCH_N', 500);
  const runs = envInt('TIDINGS_BENCH_RUNS', 5);
  const migrated = process.env.TIDINGS_BENCH_MIGRATED === '1';
  const holidays = process.env.TIDINGS_BENCH_HOLIDAYS || undefined;
  const keep = process.env.TIDINGS_BENCH_KEEP === '1';
  const backlog = generateBacklog(n, 1, Date.now());
  console.log(
    `startup bench: ${n} messages in a Maildir, ${runs} starts of \`node dist/src/cli/main.js run\`, ${migrated ? 'migrated database' : 'no database yet'}` +
      `${holidays ? `, public holidays ${holidays}` : ''}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`,
  );
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await measure(n, backlog.messages, backlog.dates, migrated, holidays, keep);
    results.push(r);
    console.log(`run ${i + 1}: daemon.started ${r.startedMs} ms, first batch committed ${r.firstMs} ms, all ${n} committed ${r.allMs} ms (exit ${r.exitCode})`);
  }
  const line = (label: string, pick: (r: Run) => number): string => {
    const xs = results.map(pick);
    return `${label} median ${median(xs)} ms (min ${Math.min(...xs)}, max ${Math.max(...xs)})`;
  };
  console.log(`${line('first batch committed', (r) => r.firstMs)}; ${line(`all ${n}`, (r) => r.allMs)}; ${line('daemon.started', (r) => r.startedMs)}; load ${loadavg()[0]!.toFixed(2)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

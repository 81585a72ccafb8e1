/**
 * Peak memory of the daemon: its process's high-water mark (VmHWM in /proc/<pid>/status, the mail
 * worker thread included) read from outside once a case is done, in a fresh daemon process per
 * case. The budget (issue 14) is 200 MB while storing one message with a 50 MB attachment and while
 * draining 10,000 messages, 150 MB idle; the bench reports against it and never fails on it.
 *
 * Run (the IMAP case as root, with dovecot-imapd installed, see test/support/CI-NOTES.md):
 *   npx tsc -p tsconfig.json && node dist/bench/memory.js          (or: npm run bench:memory)
 *
 * Cases, each its own daemon (Maildir source unless named, file transport, synchronous=full, staff
 * notifications on as in the base fixture config, limits.max_message_bytes 100 MiB):
 *   idle     started on an empty Maildir, then left alone for TIDINGS_BENCH_IDLE_SECONDS
 *   maildir  one message with a 50 MiB attachment (a 72 MB message) in new/, until stored,
 *            acknowledged and renamed into cur/
 *   imap     the same message in a Dovecot INBOX (appended as bench/ingest.ts does), until stored,
 *            acknowledged and moved to Processed
 *   lmtp     the same message delivered over one LMTP connection, until its 250 and the acknowledgement
 *   drain    bench/ingest.ts's backlog of TIDINGS_BENCH_N messages in new/, until all are stored,
 *            acknowledged and in cur/
 * The attachment is random bytes (application/zip): incompressible, as a real archive is.
 *
 * The daemon child loads only the daemon and a read-only SQLite connection to watch its progress;
 * the mail, Dovecot and the LMTP client live in this process.
 *
 * Environment:
 *   TIDINGS_BENCH_MEMORY_CASES=idle,maildir,imap,lmtp,drain   which cases, in this order
 *   TIDINGS_BENCH_ATTACHMENT_MB=50   the attachment, MiB (50: a 71.6 MB message, base64 in 76-character lines)
 *   TIDINGS_BENCH_N=10000            messages in the drain case
 *   TIDINGS_BENCH_IDLE_SECONDS=10    how long the idle case stays idle after startDaemon() resolved
 *   TIDINGS_BENCH_KEEP=1             keep the temp dirs (config, database, spool, daemon log) and print them
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { startDaemon } from '../src/app/daemon.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/log/logger.js';
import type { DovecotServer } from '../test/support/dovecot.js';
import { envInt } from './env-int.js';

const USER = 'support@desk.example';
const PASSWORD = 'support-secret';
const HMAC = 'bench-hmac-key-'.padEnd(40, 'x');
const MIB = 1024 * 1024;
const MAX_MESSAGE_BYTES = 100 * MIB;
const CASES = ['idle', 'maildir', 'imap', 'lmtp', 'drain'] as const;
type CaseName = (typeof CASES)[number];
/** MB budgets of issue 14 */
const BUDGET: Record<CaseName, number> = { idle: 150, maildir: 200, imap: 200, lmtp: 200, drain: 200 };


// ---------------------------------------------------------------------------------------------
// the daemon (child process)

interface Job {
  configPath: string;
  dbPath: string;
  logPath: string;
  /** messages to wait for (stored or quarantined); 0: idle */
  n: number;
  idleMs: number;
  env: Record<string, string>;
}

/** Child → parent once the case's work is done; the parent then reads VmHWM and says stop. */
interface Done {
  startDaemonMs: number;
  /** from startDaemon() until the last message was committed (polled every 25 ms) */
  storedMs: number;
  messages: number;
  quarantined: number;
  attachmentBytes: number;
}

async function childMain(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as Job;
  const config = loadConfig(job.configPath);
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: job.logPath, sync: true, mkdir: true }) });
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  let reader: Database.Database | undefined;
  const get = (sql: string): number => {
    try {
      reader ??= new Database(job.dbPath, { readonly: true, fileMustExist: true });
      return (reader.prepare(sql).get() as { n: number }).n;
    } catch {
      // not created or not migrated yet
      reader?.close();
      reader = undefined;
      return -1;
    }
  };
  const t0 = performance.now();
  const daemon = await startDaemon({ config, logger, env: job.env });
  const startDaemonMs = performance.now() - t0;
  let storedMs = 0;
  if (job.n === 0) await sleep(job.idleMs);
  else {
    while (get('SELECT (SELECT coalesce(max(id), 0) FROM messages) + (SELECT coalesce(max(id), 0) FROM quarantine) AS n') < job.n) await sleep(25);
    storedMs = performance.now() - t0;
    while (get("SELECT count(*) AS n FROM outbox WHERE status = 'pending'") !== 0) await sleep(25);
  }
  const done: Done = {
    startDaemonMs,
    storedMs,
    messages: Math.max(0, get("SELECT count(*) AS n FROM messages WHERE direction = 'in'")),
    quarantined: Math.max(0, get('SELECT count(*) AS n FROM quarantine')),
    attachmentBytes: Math.max(0, get('SELECT coalesce(sum(size), 0) AS n FROM attachments')),
  };
  reader?.close();
  process.send!(done);
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  await daemon.stop();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// the driver

/** VmHWM and VmRSS of a live process, MB. */
function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** One message from a client with a text part and `mb` MiB of random bytes as a zip attachment. */
async function bigMessage(mb: number): Promise<Buffer> {
  const { b64Lines } = await import('./ingest.js');
  const boundary = '----=_Part_big_1';
  const head = [
    'From: Ann Client <ann@client.example>',
    `To: Support <${USER}>`,
    'Subject: Full export of our project, as you asked',
    'Date: Wed, 02 Dec 2026 09:00:00 +0000',
    'Message-ID: <big-attachment-1@client.example>',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello,\r\n\r\nattached is the export of the project that fails to import.\r\n\r\nAnn',
    `--${boundary}`,
    'Content-Type: application/zip; name="project-export.zip"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="project-export.zip"',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from(b64Lines(randomBytes(mb * MIB)), 'latin1'), Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1')]);
}

interface Row {
  name: CaseName;
  what: string;
  mailMb: number;
  done: Done;
  peakMb: number;
  rssMb: number;
}

const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function runCase(name: CaseName, work: string, keep: boolean, big: () => Promise<Buffer>): Promise<Row> {
  const dir = path.join(work, name);
  const dataDir = path.join(dir, 'data');
  const maildir = path.join(dir, 'inbox');
  for (const d of ['new', 'cur', 'tmp']) mkdirSync(path.join(maildir, d), { recursive: true });
  const dbPath = path.join(dataDir, 'tidings.db');
  let dovecot: DovecotServer | undefined;
  let n = 1;
  let mailBytes = 0;
  let what: string;
  let source = `source: { kind: maildir, path: ${maildir}, poll_seconds: 300 }`;
  let lmtpPort: number | undefined;
  let mail: Buffer | undefined;
  try {
    if (name === 'idle') {
      n = 0;
      what = `idle ${envInt('TIDINGS_BENCH_IDLE_SECONDS', 10)} s after start`;
    } else if (name === 'drain') {
      const { generateBacklog } = await import('./ingest.js');
      n = envInt('TIDINGS_BENCH_N', 10_000);
      const backlog = generateBacklog(n, 1, Date.now());
      // fixed-width names in generation order, as bench/ingest.ts writes them
      backlog.messages.forEach((m, i) => writeFileSync(path.join(maildir, 'new', `${1_700_000_000 + i}.M${i}P1.bench`), m));
      mailBytes = backlog.bytes;
      what = `drain ${fmt(n)} messages (Maildir)`;
    } else {
      mail = await big();
      mailBytes = mail.length;
      what = `one message, ${envInt('TIDINGS_BENCH_ATTACHMENT_MB', 50)} MiB attachment (${name === 'imap' ? 'IMAP' : name === 'lmtp' ? 'LMTP' : 'Maildir'})`;
      if (name === 'maildir') {
        writeFileSync(path.join(maildir, 'new', '1700000000.M1P1.bench'), mail);
        mail = undefined;
      } else if (name === 'imap') {
        const [{ startDovecot }, { multiAppend }] = await Promise.all([import('../test/support/dovecot.js'), import('./ingest.js')]);
        dovecot = await startDovecot({ keepDir: keep });
        await multiAppend(dovecot.host, dovecot.imapPort, USER, PASSWORD, 'INBOX', [mail], [new Date()]);
        mail = undefined;
        source = `source: { kind: imap, host: 127.0.0.1, port: ${dovecot.imapPort}, user: ${USER}, password_env: TIDINGS_BENCH_IMAP_PASSWORD, folder: INBOX, processed_folder: Processed, poll_seconds: 300 }`;
      } else {
        lmtpPort = await (await import('../test/support/net.js')).freePort();
        source = `source: { kind: lmtp, listen: "127.0.0.1:${lmtpPort}" }`;
      }
    }
    const { BASE_FILES } = await import('../test/config/config-fixture.js');
    const files: Record<string, string> = {
      ...BASE_FILES,
      'tidings.yaml': `mailbox: { address: ${USER}, name: Support }
${source}
transport: { kind: file, path: ${path.join(dataDir, 'outbox')} }
store: { path: ${dbPath} }
security: { hmac_key_env: TIDINGS_BENCH_HMAC }
limits: { max_message_bytes: ${MAX_MESSAGE_BYTES}, acks_per_sender_per_hour: 1000000 }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
    };
    const configDir = path.join(dir, 'config');
    mkdirSync(configDir);
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(configDir, f), text);
    const job: Job = {
      configPath: path.join(configDir, 'tidings.yaml'),
      dbPath,
      logPath: path.join(dir, 'daemon.log'),
      n,
      idleMs: envInt('TIDINGS_BENCH_IDLE_SECONDS', 10) * 1000,
      env: { TIDINGS_BENCH_IMAP_PASSWORD: PASSWORD, TIDINGS_BENCH_HMAC: HMAC },
    };
    const jobFile = path.join(dir, 'job.json');
    writeFileSync(jobFile, JSON.stringify(job));

    const child = fork(fileURLToPath(import.meta.url), ['--daemon', jobFile], { stdio: 'inherit' });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`${name}: daemon child exited (code ${code}, signal ${signal}) before it was done`))),
    );
    exited.catch(() => undefined);
    const doneP = new Promise<Done>((resolve) => child.once('message', (m) => resolve(m as Done)));
    let answered: Promise<void> = Promise.resolve();
    if (lmtpPort !== undefined) {
      const { lmtpPool, waitForListener } = await import('./lmtp-client.js');
      await Promise.race([waitForListener('127.0.0.1', lmtpPort), exited]);
      const pool = lmtpPool('127.0.0.1', lmtpPort, 1);
      const raw = mail!;
      mail = undefined;
      answered = pool.deliver(raw, 'ann@client.example', USER).finally(() => pool.close());
    }
    const [done] = await Promise.race([Promise.all([doneP, answered]), exited]);
    // the source's acknowledgement (rename, MOVE) follows the commit: wait for it before reading the peak
    const problems: string[] = [];
    const deadline = Date.now() + 120_000;
    for (;;) {
      let acknowledged = true;
      if (name === 'imap') {
        const imap = await dovecot!.connect(USER);
        const inbox = ((await imap.status('INBOX', { messages: true })) as { messages?: number }).messages;
        await imap.logout();
        acknowledged = inbox === 0;
      } else if (name !== 'lmtp' && n > 0) acknowledged = readdirSync(path.join(maildir, 'new')).length === 0;
      if (acknowledged) break;
      if (Date.now() > deadline) {
        problems.push('the source was not acknowledged within 120 s');
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const mem = memoryOf(child.pid!);
    child.send('stop');
    await exited.catch(() => undefined);
    if (done.messages + done.quarantined !== n) problems.push(`${done.messages} stored + ${done.quarantined} quarantined, expected ${n}`);
    if (done.quarantined > 0) problems.push(`${done.quarantined} quarantined`);
    const attachmentBytes = envInt('TIDINGS_BENCH_ATTACHMENT_MB', 50) * MIB;
    if (n === 1 && done.attachmentBytes !== attachmentBytes) problems.push(`attachments hold ${done.attachmentBytes} bytes, expected ${attachmentBytes}`);
    for (const p of problems) console.log(`  ${name}: CHECK: ${p}`);
    return { name, what, mailMb: mailBytes / 1e6, done, peakMb: mem.peakMb, rssMb: mem.rssMb };
  } finally {
    await dovecot?.stop().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const chosen = (process.env.TIDINGS_BENCH_MEMORY_CASES ?? CASES.join(',')).split(',').map((c) => c.trim());
  for (const c of chosen) if (!(CASES as readonly string[]).includes(c)) throw new Error(`TIDINGS_BENCH_MEMORY_CASES: unknown case ${c} (${CASES.join(', ')})`);
  const keep = process.env.TIDINGS_BENCH_KEEP === '1';
  // The Dovecot harness unrefs its child and timers; keep the process alive through its stop().
  const keepAlive = setInterval(() => undefined, 60_000);
  const work = mkdtempSync(path.join(tmpdir(), 'tidings-bench-memory-'));
  let cached: Buffer | undefined;
  const big = async (): Promise<Buffer> => (cached ??= await bigMessage(envInt('TIDINGS_BENCH_ATTACHMENT_MB', 50)));
  const rows: Row[] = [];
  try {
    for (const c of chosen as CaseName[]) {
      const row = await runCase(c, work, keep, big);
      rows.push(row);
      console.log(`${c}: peak RSS ${fmt(row.peakMb, 1)} MB (${row.what})`);
    }
    console.log('');
    console.log('case                                         mail MB  stored in s  peak RSS MB  RSS at end MB  budget MB');
    for (const r of rows) {
      const over = r.peakMb > BUDGET[r.name] ? `${BUDGET[r.name]} (over by ${fmt(r.peakMb - BUDGET[r.name])})` : `${BUDGET[r.name]} (within)`;
      console.log(
        `${r.what.padEnd(45)}${(r.mailMb ? fmt(r.mailMb, 1) : '-').padStart(7)}  ${(r.done.storedMs ? fmt(r.done.storedMs / 1000, 2) : '-').padStart(11)}  ${fmt(r.peakMb, 1).padStart(11)}  ${fmt(r.rssMb, 1).padStart(13)}  ${over}`,
      );
    }
    console.log(`(mail MB: 10^6 bytes; stored in: from startDaemon() to the last commit; peak RSS: VmHWM of the daemon process, MiB; node ${process.version})`);
    if (keep) console.log(`kept: ${work}`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
    clearInterval(keepAlive);
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain && process.argv[2] === '--daemon') {
  childMain(process.argv[3]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (isMain) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

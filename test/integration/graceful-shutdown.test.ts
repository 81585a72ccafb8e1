import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { BASE_FILES, STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { until } from '../support/until.js';

const USER = 'support@desk.example';
const N = 150;
const root = packageRoot();

describe('tidings run stopped by SIGTERM while mail is flowing', () => {
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let cfg: ConfigDir;
  let dataDir: string;
  let buildDir: string;
  let child: ChildProcess | undefined;
  const env = { ...process.env, PW: 'support-secret', HK: 'g'.repeat(32), TIDINGS_LOG_LEVEL: 'info' };

  const count = (sql: string): number => {
    let db: Database.Database | undefined;
    try {
      db = new Database(path.join(dataDir, 'tidings.db'), { readonly: true, fileMustExist: true });
      return (db.prepare(sql).get() as { n: number }).n;
    } catch {
      return 0;
    } finally {
      db?.close();
    }
  };

  beforeAll(async () => {
    // A build of our own (inside the package, so node_modules and migrations resolve), so this
    // file never races kill-restart.test.ts writing dist/.
    mkdirSync(path.join(root, 'node_modules/.cache'), { recursive: true });
    buildDir = mkdtempSync(path.join(root, 'node_modules/.cache/tidings-graceful-'));
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json'), '--outDir', buildDir], { cwd: root, stdio: 'inherit' });
    dovecot = await startDovecot();
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-term-'));
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: ${USER} }
source: { kind: imap, host: 127.0.0.1, port: ${dovecot.imapPort}, user: ${USER}, password_env: PW, poll_seconds: 5, batch_size: 20 }
transport: { kind: smtp, host: 127.0.0.1, port: ${sink.port} }
store: { path: ${path.join(dataDir, 'tidings.db')} }
security: { hmac_key_env: HK }
http: { listen: "127.0.0.1:0" }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS,
    });
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sink?.stop();
    await dovecot?.stop();
    cfg?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it('exits 0, the message and the send in flight finished: every stored message moved, no send left half-done', async () => {
    for (let i = 1; i <= N; i++) {
      const from = `t${i}@t${i}.example`;
      await dovecot.deliver(USER, `From: ${from}\nTo: ${USER}\nSubject: term ${i}\nMessage-ID: <term-${i}@t.example>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nbody ${i}\n`, { from });
    }
    let stdout = '';
    const c = spawn(process.execPath, [path.join(buildDir, 'src/cli/main.js'), '--config', cfg.main, 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr?.on('data', (b: Buffer) => (stdout += b.toString()));
    const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));

    await until('some tickets', () => count('SELECT count(*) AS n FROM tickets') >= 20, 60_000);
    // SIGHUP reloads the configuration in the running process (the watcher may get there first).
    cfg.write('licences.yaml', BASE_FILES['licences.yaml']!.replace('BX-1003', 'BX-1004'));
    c.kill('SIGHUP');
    await until('reloaded', () => stdout.includes('"event":"config.reloaded"'), 10_000);
    expect(stdout).toContain('licences added: BX-1004');
    expect(c.exitCode).toBeNull();
    c.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/"event":"daemon.signal"[^\n]*"signal":"SIGTERM"|"signal":"SIGTERM"[^\n]*"event":"daemon.signal"/);
    expect(stdout).toContain('"event":"daemon.stopped"');

    const tickets = count('SELECT count(*) AS n FROM tickets');
    expect(tickets).toBeGreaterThanOrEqual(20);
    // No send claimed but left unrecorded: every attempt made was recorded as sent.
    expect(count("SELECT count(*) AS n FROM outbox WHERE status = 'pending' AND attempts > 0")).toBe(0);
    expect(count("SELECT count(*) AS n FROM outbox WHERE status = 'sent'")).toBe(sink.messages.length);
    // Every message stored was also acknowledged at the source (moved), nothing else was.
    const imap = await dovecot.connect(USER);
    try {
      const processed = ((await imap.status('Processed', { messages: true })) as { messages?: number }).messages;
      const inbox = ((await imap.status('INBOX', { messages: true })) as { messages?: number }).messages;
      expect(processed).toBe(tickets);
      expect(inbox).toBe(N - tickets);
    } finally {
      await imap.logout();
    }
  }, 180_000);
});

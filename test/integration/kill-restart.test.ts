import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { BASE_FILES, STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { daemonChild } from '../support/daemon-child.js';
import { until } from '../support/until.js';

const USER = 'support@desk.example';
const N = 400;
const root = packageRoot();


function header(raw: Buffer, name: string): string | undefined {
  const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  return new RegExp(`^${name}:\\s*(.*)`, 'im').exec(head)?.[1]?.trim();
}

describe('the daemon killed with SIGKILL mid-ingest and restarted', () => {
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let cfg: ConfigDir;
  let dataDir: string;
  const env = { ...process.env, TIDINGS_TEST_IMAP_PASSWORD: 'support-secret', TIDINGS_TEST_HMAC: 'h'.repeat(32), TIDINGS_LOG_LEVEL: 'warn' };
  const daemon = daemonChild({ mainJs: () => path.join(root, 'dist/src/cli/main.js'), config: () => cfg.main, dbPath: () => path.join(dataDir, 'tidings.db'), env });
  const { exited, count } = daemon;
  const spawnDaemon = (): ChildProcess => daemon.start();

  beforeAll(async () => {
    // The child runs the real CLI, so build it once.
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
    dovecot = await startDovecot();
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-kill-'));
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: ${USER}, name: Support }
source: { kind: imap, host: 127.0.0.1, port: ${dovecot.imapPort}, user: ${USER}, password_env: TIDINGS_TEST_IMAP_PASSWORD, poll_seconds: 5, batch_size: 50 }
transport: { kind: smtp, host: 127.0.0.1, port: ${sink.port} }
store: { path: ${path.join(dataDir, 'tidings.db')} }
security: { hmac_key_env: TIDINGS_TEST_HMAC }
http: { listen: "127.0.0.1:0" }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      'levels.yaml': BASE_FILES['levels.yaml']!,
      // Counts acknowledgements only; staff notifications are tested in staff-email.test.ts.
      'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS,
    });
  }, 180_000);

  afterAll(async () => {
    await daemon.stopAll();
    await sink?.stop();
    await dovecot?.stop();
    cfg?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses nothing and stores nothing twice across two kills (${N} messages)`, async () => {
    for (let i = 1; i <= N; i++) {
      const from = `client${i}@c${i}.example`;
      await dovecot.deliver(
        USER,
        `From: ${from}\nTo: ${USER}\nSubject: Request ${i}\nMessage-ID: <kill-${i}@c.example>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nPlease help with ${i}.\n`,
        { from },
      );
    }
    const kills: number[] = [];
    for (const target of [Math.floor(N / 4), Math.floor(N / 2) + 17]) {
      const c = spawnDaemon();
      await until(`${target} tickets`, () => count('SELECT count(*) AS n FROM tickets') >= target);
      c.kill('SIGKILL');
      await exited(c);
      kills.push(count('SELECT count(*) AS n FROM tickets'));
    }
    const last = spawnDaemon();
    await until('every ticket', () => count('SELECT count(*) AS n FROM tickets') >= N, 90_000);
    await until('every acknowledgement sent', () => count("SELECT count(*) AS n FROM outbox WHERE status = 'sent'") >= N, 60_000);
    last.kill('SIGTERM');
    expect(await exited(last)).toBe(0);

    expect(count('SELECT count(*) AS n FROM tickets')).toBe(N);
    expect(count('SELECT count(DISTINCT requester) AS n FROM tickets')).toBe(N);
    expect(count('SELECT count(*) AS n FROM messages')).toBe(N);
    expect(count("SELECT count(*) AS n FROM outbox WHERE kind = 'ack'")).toBe(N);
    expect(count('SELECT count(*) AS n FROM tickets WHERE ack_sent_at IS NULL')).toBe(0);

    // Every client got exactly one acknowledgement (one Message-ID); a kill between the SMTP
    // transaction and recording it may resend that same mail, which receivers drop by Message-ID.
    const byRecipient = new Map<string, Set<string>>();
    for (const m of sink.messages) {
      const set = byRecipient.get(m.to[0]!) ?? new Set<string>();
      set.add(header(m.raw, 'Message-ID')!);
      byRecipient.set(m.to[0]!, set);
    }
    expect(byRecipient.size).toBe(N);
    expect([...byRecipient.values()].every((s) => s.size === 1)).toBe(true);
    const resent = sink.messages.length - N;
    console.log(`kill/restart: killed at ${kills.join(' and ')} tickets; ${sink.messages.length} SMTP deliveries for ${N} acks (${resent} identical resends)`);
    expect(resent).toBeLessThanOrEqual(2 * 2); // at most the sends in flight at each kill (outbox concurrency 2)

    const imap = await dovecot.connect(USER);
    try {
      expect(((await imap.status('Processed', { messages: true })) as { messages?: number }).messages).toBe(N);
      expect(((await imap.status('INBOX', { messages: true })) as { messages?: number }).messages).toBe(0);
    } finally {
      await imap.logout();
    }
  }, 240_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { until } from '../support/until.js';

const USER = 'support@desk.example';


const msg = (i: number): string =>
  `From: c${i}@r${i}.example\nTo: ${USER}\nSubject: reconnect ${i}\nMessage-ID: <rc-${i}@r.example>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nbody ${i}\n`;

describe('IMAP server restarts and crashes', () => {
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let cfg: ConfigDir;
  let dataDir: string;
  let daemon: Daemon;

  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-rc-'));
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: ${USER} }
source: { kind: imap, host: 127.0.0.1, port: ${dovecot.imapPort}, user: ${USER}, password_env: PW, poll_seconds: 5 }
transport: { kind: smtp, host: 127.0.0.1, port: ${sink.port} }
store: { path: ${path.join(dataDir, 'db.sqlite')} }
security: { hmac_key_env: HK }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      // Counts acknowledgements only; staff notifications are tested in staff-email.test.ts.
      'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS,
    });
    daemon = await startDaemon({ config: loadConfig(cfg.main), logger: pino({ level: 'silent' }), env: { PW: 'support-secret', HK: 'x'.repeat(32) } });
  });

  afterAll(async () => {
    await daemon?.stop();
    await sink?.stop();
    await dovecot?.stop();
    cfg?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reconnects after a clean restart and after a crash, losing nothing', async () => {
    for (let i = 1; i <= 5; i++) await dovecot.deliver(USER, msg(i), { from: `c${i}@r${i}.example` });
    await sink.waitFor(5, 15_000);

    await dovecot.restart();
    for (let i = 6; i <= 10; i++) await dovecot.deliver(USER, msg(i), { from: `c${i}@r${i}.example` });
    await sink.waitFor(10, 30_000);
    expect(daemon.source!.status().reconnects).toBeGreaterThanOrEqual(1);

    await dovecot.crash();
    await until('the source to notice', () => daemon.source!.status().state === 'reconnecting');
    await dovecot.restart();
    for (let i = 11; i <= 15; i++) await dovecot.deliver(USER, msg(i), { from: `c${i}@r${i}.example` });
    await sink.waitFor(15, 60_000);
    await until('connected again', () => daemon.source!.status().state === 'connected');

    const tickets = daemon.repos.db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number };
    expect(tickets.n).toBe(15);
    expect(new Set(sink.messages.map((m) => m.to[0])).size).toBe(15);
  }, 120_000);
});

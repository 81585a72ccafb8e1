import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { freePort } from '../support/net.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const USER = 'support@desk.example';

describe('tidings doctor against the test Dovecot and SMTP sink', () => {
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let dataDir: string;
  const dirs: ConfigDir[] = [];
  const env = { PW: 'support-secret', SP: 'smtp-secret', HK: 'k'.repeat(32) };

  const configFor = (o: { imapPort?: number; processed?: string; smtpPort?: number } = {}): ConfigDir => {
    const d = writeConfigDir({
      'tidings.yaml': `mailbox: { address: ${USER} }
source: { kind: imap, host: 127.0.0.1, port: ${o.imapPort ?? dovecot.imapPort}, user: ${USER}, password_env: PW, processed_folder: ${o.processed ?? 'Processed'} }
transport: { kind: smtp, host: 127.0.0.1, port: ${o.smtpPort ?? sink.port}, user: relay, password_env: SP }
store: { path: ${path.join(dataDir, 'db.sqlite')} }
security: { hmac_key_env: HK }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
    });
    dirs.push(d);
    return d;
  };
  const doctor = async (d: ConfigDir, e: NodeJS.ProcessEnv = env) => {
    const io = memoryIo(e, d.dir);
    const code = await runCli(['--config', d.main, 'doctor'], io);
    return { code, out: io.stdout };
  };

  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSmtpSink({ auth: { user: 'relay', password: 'smtp-secret' } });
    dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-doctor-'));
    const d = configFor();
    expect(await runCli(['--config', d.main, 'migrate'], memoryIo(env, d.dir))).toBe(0);
  });

  afterAll(async () => {
    for (const d of dirs) d.remove();
    await sink?.stop();
    await dovecot?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes: IMAP login, inbox and processed folder, SMTP EHLO and auth, nothing sent', async () => {
    const r = await doctor(configFor());
    expect(r.out).toMatch(/ok {3}imap login: logged in as support@desk\.example at 127\.0\.0\.1:\d+/);
    expect(r.out).toMatch(/ok {3}imap folder: INBOX exists/);
    expect(r.out).toMatch(/ok {3}imap processed folder: Processed exists/);
    expect(r.out).toMatch(/ok {3}smtp: EHLO and login as relay accepted by 127\.0\.0\.1:\d+ \(nothing sent\)/);
    expect(r.out).toMatch(/all checks passed/);
    expect(r.code).toBe(0);
    expect(sink.messages).toHaveLength(0);
  }, 30_000);

  it('fails with a clear message for a wrong IMAP password and a wrong SMTP password', async () => {
    const r = await doctor(configFor(), { ...env, PW: 'wrong', SP: 'wrong' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL imap login: IMAP login at 127\.0\.0\.1:\d+ was refused: wrong user or password/);
    expect(r.out).toMatch(/FAIL smtp: SMTP login at 127\.0\.0\.1:\d+ was refused: wrong user or password/);
    expect(r.out).not.toContain('wrong\n');
  }, 30_000);

  it('fails with a clear message for a wrong port and a missing processed folder', async () => {
    const closed = await freePort();
    const r = await doctor(configFor({ imapPort: closed, smtpPort: closed }));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL imap login: cannot connect to IMAP at 127.0.0.1:${closed}: connection refused (wrong host or port, or the server is down)`);
    expect(r.out).toContain(`FAIL smtp: cannot connect to SMTP at 127.0.0.1:${closed}: connection refused`);

    const m = await doctor(configFor({ processed: 'Done' }));
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/FAIL imap processed folder: Done does not exist on 127\.0\.0\.1:\d+ \(folders: .*Processed.*\); create it or fix the config/);
  }, 30_000);
});

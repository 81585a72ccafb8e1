import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { writeConfigDir, type ConfigDir } from './config-fixture.js';

const dirs: ConfigDir[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.remove();
});

/** A main file whose line 2 is the source, line 3 the transport and line 7 the security section. */
function mainFile(source: string, transport = '{ kind: file, path: ./data/outbox }', security = '{}'): string {
  return `mailbox: { address: support@desk.example, name: Support }
source: ${source}
transport: ${transport}
store: { path: ./data/tidings.db }
http: { enabled: false }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
security: ${security}
`;
}

async function cli(main: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const d = writeConfigDir({ 'tidings.yaml': main });
  dirs.push(d);
  const io = memoryIo(env, d.dir);
  const code = await runCli(['--config', d.main, ...args], io);
  return { code, out: io.stdout, err: io.stderr, dir: d.dir };
}

const IMAP_ENV = '{ kind: imap, host: 127.0.0.1, user: support, password_env: TIDINGS_TEST_IMAP_PASSWORD }';

describe('secrets the configuration names but the environment lacks', () => {
  it('check-config and run both name the key that names the missing variable, with file:line', async () => {
    const want = 'tidings.yaml:2 source.password_env: environment variable TIDINGS_TEST_IMAP_PASSWORD is not set (the IMAP password)';
    const check = await cli(mainFile(IMAP_ENV), ['check-config']);
    expect(check.code).toBe(1);
    expect(check.err.split('\n')).toContain(want);

    const run = await cli(mainFile(IMAP_ENV), ['run']);
    expect(run.code).toBe(1);
    expect(run.err.split('\n')).toContain(want);
  });

  it('check-config passes once the variable is set', async () => {
    const r = await cli(mainFile(IMAP_ENV), ['check-config'], { TIDINGS_TEST_IMAP_PASSWORD: 's3cret' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('an IMAP source with no password setting at all is reported on the source', async () => {
    const r = await cli(mainFile('{ kind: imap, host: 127.0.0.1, user: support }'), ['check-config']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('tidings.yaml:2 source: the IMAP password needs password_env or password_file');
  });

  it('an SMTP password is needed only with an SMTP user', async () => {
    const withUser = await cli(mainFile('{ kind: maildir, path: ./data/inbox }', '{ kind: smtp, host: 127.0.0.1, user: desk, password_env: TIDINGS_TEST_SMTP_PASSWORD }'), ['check-config']);
    expect(withUser.code).toBe(1);
    expect(withUser.err).toContain('tidings.yaml:3 transport.password_env: environment variable TIDINGS_TEST_SMTP_PASSWORD is not set (the SMTP password)');

    const noUser = await cli(mainFile('{ kind: maildir, path: ./data/inbox }', '{ kind: smtp, host: 127.0.0.1, password_env: TIDINGS_TEST_SMTP_PASSWORD }'), ['check-config']);
    expect(noUser.err).toBe('');
    expect(noUser.code).toBe(0);
  });

  it('a configured HMAC key file that does not exist is a problem; one that exists is not', async () => {
    const main = mainFile('{ kind: maildir, path: ./data/inbox }', undefined, '{ hmac_key_file: ./hmac.key }');
    const missing = await cli(main, ['check-config']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^tidings\.yaml:7 security\.hmac_key_file: file .*hmac\.key does not exist \(the HMAC key\)$/m);

    const d = writeConfigDir({ 'tidings.yaml': main });
    dirs.push(d);
    writeFileSync(path.join(d.dir, 'hmac.key'), 'k'.repeat(48));
    const io = memoryIo({}, d.dir);
    expect(await runCli(['--config', d.main, 'check-config'], io)).toBe(0);
    expect(io.stderr).toBe('');
  });

  it('check-config --json lists the secret as an issue with file and line', async () => {
    const r = await cli(mainFile(IMAP_ENV), ['check-config', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as { ok: boolean; issues: unknown[] };
    expect(out.ok).toBe(false);
    expect(out.issues).toEqual([expect.objectContaining({ file: 'tidings.yaml', line: 2, path: 'source.password_env' })]);
  });
});

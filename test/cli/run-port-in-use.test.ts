import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { httpListenError } from '../../src/app/listen-error.js';
import { BASE_FILES, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A TCP server holding a port on 127.0.0.1, like a second daemon that is already running. */
async function occupiedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve());
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

function configDir(overrides: Record<string, string>): ConfigDir {
  const d = writeConfigDir(overrides);
  cleanups.push(() => d.remove());
  return d;
}

describe('tidings run on a port that is in use', () => {
  it('names http.listen with its file:line and a stable code, exits 1, prints no stack trace', async () => {
    const port = await occupiedPort();
    // BASE_FILES' tidings.yaml has six lines, so http is on line 7
    const d = configDir({ 'tidings.yaml': `${BASE_FILES['tidings.yaml']}http: { listen: "127.0.0.1:${port}" }\n` });
    const io = memoryIo({}, d.dir);
    const code = await runCli(['--config', d.main, 'run'], io);
    expect(code).toBe(1);
    expect(io.stderr).toContain(`error E_HTTP_LISTEN: 127.0.0.1:${port} is already in use`);
    expect(io.stderr).toMatch(/change http\.listen at \S*tidings\.yaml:7\b/);
    expect(io.stderr).toContain('http.enabled: false');
    expect(io.stderr).not.toMatch(/unexpected error|^\s+at /m);
  });

  it('names the included file when http.listen is set there', async () => {
    const port = await occupiedPort();
    const d = configDir({
      'tidings.yaml': BASE_FILES['tidings.yaml']!.replace('staff.yaml]', 'staff.yaml, http.yaml]'),
      'http.yaml': `# the health endpoint\n\nhttp:\n  enabled: true\n  listen: 127.0.0.1:${port}\n`,
    });
    const io = memoryIo({}, d.dir);
    const code = await runCli(['--config', d.main, 'run'], io);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/change http\.listen at \S*http\.yaml:5\b/);
  });
});

describe('tidings run with an LMTP source on an address that is in use', () => {
  it('names source.listen with its file:line and E_LMTP_LISTEN, exits 1, prints no stack trace', async () => {
    const port = await occupiedPort();
    const main = BASE_FILES['tidings.yaml']!.replace('source: { kind: maildir, path: ./data/inbox }', `source: { kind: lmtp, listen: "127.0.0.1:${port}" }`);
    const d = configDir({ 'tidings.yaml': `${main}http: { enabled: false }\nlog: { level: warn }\n` });
    const io = memoryIo({}, d.dir);
    const code = await runCli(['--config', d.main, 'run'], io);
    expect(code).toBe(1);
    expect(io.stderr).toContain(`error E_LMTP_LISTEN: 127.0.0.1:${port} is already in use`);
    expect(io.stderr).toMatch(/change source\.listen at \S*tidings\.yaml:2\b/);
    expect(io.stderr).not.toMatch(/unexpected error|^\s+at /m);
  });

  it('says so when the folder of a unix socket does not exist', async () => {
    const main = BASE_FILES['tidings.yaml']!.replace('source: { kind: maildir, path: ./data/inbox }', 'source: { kind: lmtp, listen: "unix:./no/such/dir/lmtp.sock" }');
    const d = configDir({ 'tidings.yaml': `${main}http: { enabled: false }\nlog: { level: warn }\n` });
    const io = memoryIo({}, d.dir);
    expect(await runCli(['--config', d.main, 'run'], io)).toBe(1);
    expect(io.stderr).toMatch(/error E_LMTP_LISTEN: the folder of the socket \S*no\/such\/dir\/lmtp\.sock does not exist; change source\.listen at \S*tidings\.yaml:2\b/);
  });
});

describe('httpListenError', () => {
  it('names the main file to add http.listen to when the default is in force', () => {
    // The default port cannot be taken by a test (another daemon may hold it), so the error is built directly.
    const d = configDir({});
    const busy = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8025'), { code: 'EADDRINUSE' });
    const e = httpListenError(busy, '127.0.0.1:8025', d.main);
    expect(e.code).toBe('E_HTTP_LISTEN');
    expect(e.message).toContain('127.0.0.1:8025 is already in use');
    expect(e.message).toContain(`http.listen is not set (default 127.0.0.1:8025): add "http: { listen: 127.0.0.1:8026 }" to ${d.main}`);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { memoryIo } from '../../src/cli/io.js';
import { BASE_FILES, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { waitUntil } from '../support/net.js';

const dirs: ConfigDir[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.remove();
});

describe('tidings run with log.file', () => {
  it('says where the log goes and writes readable lines there, not to the terminal', async () => {
    const d = writeConfigDir({
      'tidings.yaml': `${BASE_FILES['tidings.yaml']}http: { enabled: false }\nlog: { format: pretty, file: ./data/tidings.log }\n`,
    });
    dirs.push(d);
    const logFile = path.join(d.dir, 'data/tidings.log');
    const io = memoryIo({}, d.dir);
    const stop = new AbortController();
    const running = runCommand(io, { config: d.main, stopSignal: stop.signal });
    await waitUntil(async () => io.stderr.includes('tidings is running'), { timeoutMs: 30_000, what: 'the start line', describe: () => io.stderr });
    stop.abort();
    expect(await running).toBe(0);
    expect(io.stderr).toMatch(/tidings is running \(pid \d+\); log: data\/tidings\.log; health: off/);
    expect(io.stdout).toBe('');
    expect(existsSync(logFile)).toBe(true);
    const text = readFileSync(logFile, 'utf8');
    expect(text).toMatch(/INFO: daemon: tidings started/);
    expect(text).toMatch(/INFO: daemon: stopped/);
    expect(text.split('\n').filter(Boolean).some((l) => l.startsWith('{'))).toBe(false);
  });
});

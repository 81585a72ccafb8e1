import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compiledTree } from '../support/compiled-tree.js';
import { BASE_FILES, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { waitUntil } from '../support/net.js';

/**
 * What a command loads, counted without a clock: the real binary runs in a child with a module
 * hook that writes down every ESM specifier it resolves and, at exit, every CommonJS file in the
 * require cache (a package required from CommonJS never passes an ESM resolve hook on Node 20).
 * The positive checks (commander for --help, mailparser and better-sqlite3 for ingest) prove the
 * hook saw the loading at all, so a broken hook cannot make the negative checks pass.
 */
const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(log, r.url + '\\n');
  return r;
}
`;
const REGISTER = `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
const log = process.env.LOADED_LOG;
register('./hooks.mjs', import.meta.url, { data: { log } });
const cache = createRequire(import.meta.url).cache;
// this thread's CommonJS files only (a worker thread has a cache of its own), in a file of their own
process.on('exit', () => appendFileSync(log + '.main-cjs', Object.keys(cache).join('\\n') + '\\n'));
`;

const MAIL = ['From: Ann <ann@client.example>', 'To: support@desk.example', 'Subject: Cannot log in', 'Message-ID: <lazy-1@client.example>', 'Date: Mon, 23 Nov 2026 10:00:00 +0100', '', 'Hello', ''].join('\r\n');

/** The packages named in the files the process loaded. */
function packagesLoaded(...logFiles: string[]): Set<string> {
  const out = new Set<string>();
  for (const line of logFiles.flatMap((f) => readFileSync(f, 'utf8').split('\n'))) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (m) out.add(m[1]!);
  }
  return out;
}

describe('the CLI loads only what the command uses', () => {
  let build: ReturnType<typeof compiledTree>;
  const dirs: ConfigDir[] = [];

  beforeAll(() => {
    build = compiledTree('lazy-commands');
    writeFileSync(path.join(build.dir, 'hooks.mjs'), HOOKS);
    writeFileSync(path.join(build.dir, 'register.mjs'), REGISTER);
  }, 120_000);
  afterAll(() => build?.remove());
  afterEach(() => {
    while (dirs.length) dirs.pop()!.remove();
  });

  function run(args: string[], input?: string): { status: number | null; loaded: Set<string>; stderr: string } {
    const logFile = path.join(build.dir, `loaded-${Math.random().toString(36).slice(2)}.log`);
    writeFileSync(logFile, '');
    writeFileSync(`${logFile}.main-cjs`, '');
    const r = spawnSync(process.execPath, ['--import', path.join(build.dir, 'register.mjs'), path.join(build.dir, 'src/cli/main.js'), ...args], {
      input: input ?? '',
      env: { ...process.env, LOADED_LOG: logFile, TIDINGS_LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
    return { status: r.status, loaded: packagesLoaded(logFile, `${logFile}.main-cjs`), stderr: r.stderr };
  }

  it('--help loads commander and none of the libraries of the commands', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.loaded).toContain('commander');
    for (const heavy of ['imapflow', 'mailparser', 'date-holidays', 'better-sqlite3', 'mailauth', 'nodemailer', 'pino', 'pino-pretty', 'zod', 'yaml', 'luxon']) {
      expect(r.loaded, heavy).not.toContain(heavy);
    }
  });

  it('ingest parses and stores without IMAP, DKIM, holiday, metrics or pretty-log code', () => {
    // BASE_FILES' calendar has explicit holidays only, and the log format is json
    const d = writeConfigDir({});
    dirs.push(d);
    const r = run(['--config', d.main, 'ingest'], MAIL);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.loaded).toContain('mailparser');
    expect(r.loaded).toContain('better-sqlite3');
    for (const heavy of ['imapflow', 'date-holidays', 'mailauth', 'pino-pretty', 'prom-client', 'node-cron']) {
      expect(r.loaded, heavy).not.toContain(heavy);
    }
  });

  it('run: the main thread, which starts the source and commits, leaves mailparser to the mail thread', async () => {
    // a file spool, no HTTP: nodemailer and mailparser are the mail thread's alone
    const d = writeConfigDir({ 'tidings.yaml': `${BASE_FILES['tidings.yaml']}http: { enabled: false }\n` });
    dirs.push(d);
    // one message waiting, so the mail thread has something to parse
    mkdirSync(path.join(d.dir, 'data/inbox/new'), { recursive: true });
    writeFileSync(path.join(d.dir, 'data/inbox/new/1700000000.M1P1.host'), MAIL);
    const logFile = path.join(build.dir, 'loaded-run.log');
    writeFileSync(logFile, '');
    writeFileSync(`${logFile}.main-cjs`, '');
    const child = spawn(process.execPath, ['--import', path.join(build.dir, 'register.mjs'), path.join(build.dir, 'src/cli/main.js'), '--config', d.main, 'run'], {
      env: { ...process.env, LOADED_LOG: logFile, TIDINGS_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const cur = path.join(d.dir, 'data/inbox/cur');
    await waitUntil(async () => (existsSync(cur) && readdirSync(cur).length === 1) || child.exitCode !== null, { timeoutMs: 60_000, what: 'the message stored', describe: () => stderr });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const mainThread = packagesLoaded(`${logFile}.main-cjs`);
    expect(mainThread).toContain('better-sqlite3');
    for (const heavy of ['mailparser', 'html-to-text', 'imapflow', 'mailauth', 'date-holidays']) {
      expect(mainThread, heavy).not.toContain(heavy);
    }
    // the mail thread did load it: the hook sees every thread's imports
    expect(packagesLoaded(logFile)).toContain('mailparser');
  }, 90_000);
});

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compiledTree } from '../support/compiled-tree.js';
import { writeConfigDir, type ConfigDir } from '../config/config-fixture.js';

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
process.on('exit', () => appendFileSync(log, Object.keys(cache).join('\\n') + '\\n'));
`;

/** The packages named in the files the process loaded. */
function packagesLoaded(logFile: string): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
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
    const r = spawnSync(process.execPath, ['--import', path.join(build.dir, 'register.mjs'), path.join(build.dir, 'src/cli/main.js'), ...args], {
      input: input ?? '',
      env: { ...process.env, LOADED_LOG: logFile, TIDINGS_LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
    return { status: r.status, loaded: packagesLoaded(logFile), stderr: r.stderr };
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
    const mail = ['From: Ann <ann@client.example>', 'To: support@desk.example', 'Subject: Cannot log in', 'Message-ID: <lazy-1@client.example>', 'Date: Mon, 23 Nov 2026 10:00:00 +0100', '', 'Hello', ''].join('\r\n');
    const r = run(['--config', d.main, 'ingest'], mail);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.loaded).toContain('mailparser');
    expect(r.loaded).toContain('better-sqlite3');
    for (const heavy of ['imapflow', 'date-holidays', 'mailauth', 'pino-pretty', 'prom-client', 'node-cron']) {
      expect(r.loaded, heavy).not.toContain(heavy);
    }
  });
});

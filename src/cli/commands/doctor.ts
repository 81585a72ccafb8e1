import { accessSync, constants, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import { loadConfig } from '../../config/load-config.js';
import { formatIssue } from '../../config/config-issue.js';
import { ConfigError } from '../../config/load-config.js';
import { readSecret } from '../../config/secrets.js';
import { loadMigrations, schemaVersion } from '../../store/migrate.js';
import { openDatabase } from '../../store/open-database.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { resolveConfigPath } from '../config-path.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorOptions {
  config?: string | undefined;
  json?: boolean | undefined;
}

/**
 * Runs every check even after one fails, so one run shows the admin everything to fix.
 */
export function doctorCommand(io: CliIo, opts: DoctorOptions): ExitCode {
  const file = resolveConfigPath(io, opts.config);
  const checks: DoctorCheck[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(file);
    checks.push({ name: 'config', ok: true, detail: `${file} is valid` });
  } catch (err) {
    const detail = err instanceof ConfigError ? err.issues.map(formatIssue).join('\n') : (err as Error).message;
    checks.push({ name: 'config', ok: false, detail });
  }
  if (config) {
    checks.push(...secretChecks(config, io.env));
    checks.push(databaseCheck(config));
    checks.push(...writableChecks(config));
  }
  const ok = checks.every((c) => c.ok);
  if (opts.json) printJson(io, { ok, checks });
  else {
    for (const c of checks) {
      const [first, ...rest] = c.detail.split('\n');
      io.out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${first}`);
      for (const line of rest) io.out(`       ${line}`);
    }
    io.out(ok ? 'all checks passed' : `${checks.filter((c) => !c.ok).length} check(s) failed`);
  }
  return ok ? EXIT.OK : EXIT.FAILURE;
}

function secretChecks(config: Config, env: NodeJS.ProcessEnv): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const src = config.source;
  if (src.kind === 'imap') {
    const where = src.password_env ? `env ${src.password_env}` : src.password_file ? `file ${src.password_file}` : undefined;
    const found = where ? readSecret({ env: src.password_env, file: src.password_file }, env) !== undefined : false;
    out.push({ name: 'imap password', ok: found, detail: found ? `read from ${where}` : where ? `not set (looked in ${where})` : 'no password_env or password_file configured' });
  }
  const tr = config.transport;
  if (tr.kind === 'smtp' && tr.user) {
    const where = tr.password_env ? `env ${tr.password_env}` : tr.password_file ? `file ${tr.password_file}` : undefined;
    const found = where ? readSecret({ env: tr.password_env, file: tr.password_file }, env) !== undefined : false;
    out.push({ name: 'smtp password', ok: found, detail: found ? `read from ${where}` : where ? `not set (looked in ${where})` : 'smtp user given but no password_env or password_file' });
  }
  const sec = config.security;
  if (sec.hmac_key_env || sec.hmac_key_file) {
    const found = readSecret({ env: sec.hmac_key_env, file: sec.hmac_key_file }, env) !== undefined;
    const where = [sec.hmac_key_env && `env ${sec.hmac_key_env}`, sec.hmac_key_file && `file ${sec.hmac_key_file}`].filter(Boolean).join(' or ');
    out.push({ name: 'hmac key', ok: found, detail: found ? `read from ${where}` : `not set (looked in ${where})` });
  }
  return out;
}

function databaseCheck(config: Config): DoctorCheck {
  const file = config.store.path;
  if (file !== ':memory:' && !existsSync(file)) {
    return { name: 'database', ok: false, detail: `${file} does not exist; run \`tidings migrate\` (the daemon also creates it on start)` };
  }
  try {
    const db = openDatabase(file, { readonly: true, busyTimeoutMs: config.store.busy_timeout_ms });
    try {
      const have = schemaVersion(db);
      const migrations = loadMigrations();
      const want = migrations.length ? migrations[migrations.length - 1]!.version : 0;
      if (have === want) return { name: 'database', ok: true, detail: `${file} opens, schema version ${have} is current` };
      if (have > want) return { name: 'database', ok: false, detail: `${file} has schema version ${have}, newer than this tidings (${want}) (E_SCHEMA_TOO_NEW)` };
      return { name: 'database', ok: false, detail: `${file} is at schema version ${have}, ${want} needed; run \`tidings migrate\`` };
    } finally {
      db.close();
    }
  } catch (err) {
    return { name: 'database', ok: false, detail: (err as Error).message };
  }
}

function writableChecks(config: Config): DoctorCheck[] {
  const dirs: [string, string][] = [];
  if (config.store.path !== ':memory:') dirs.push(['data dir', path.dirname(config.store.path)]);
  if (config.source.kind === 'maildir') dirs.push(['maildir inbox', config.source.path]);
  if (config.transport.kind === 'file') dirs.push(['file outbox', config.transport.path]);
  return dirs.map(([name, dir]) => writable(name, dir));
}

/** Writes and removes a probe file, since access(2) says nothing about a full or read-only mount. */
function writable(name: string, dir: string): DoctorCheck {
  if (!existsSync(dir)) {
    let parent = path.dirname(dir);
    while (!existsSync(parent) && path.dirname(parent) !== parent) parent = path.dirname(parent);
    try {
      accessSync(parent, constants.W_OK);
      return { name, ok: true, detail: `${dir} does not exist yet; it will be created (${parent} is writable)` };
    } catch {
      return { name, ok: false, detail: `${dir} does not exist and ${parent} is not writable` };
    }
  }
  if (!statSync(dir).isDirectory()) return { name, ok: false, detail: `${dir} is not a directory` };
  const probe = path.join(dir, `.tidings-doctor-${process.pid}`);
  try {
    writeFileSync(probe, 'probe');
    rmSync(probe);
    return { name, ok: true, detail: `${dir} is writable` };
  } catch (err) {
    return { name, ok: false, detail: `${dir} is not writable: ${(err as Error).message}` };
  }
}

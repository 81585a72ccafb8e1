import { accessSync, constants, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import { configWarnings } from '../../config/config-warnings.js';
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
  /** Passes, but leaves a known hole worth fixing (configWarnings). */
  warning?: true;
}

export interface DoctorOptions {
  config?: string | undefined;
  json?: boolean | undefined;
  /** Skip the IMAP login and SMTP EHLO/auth (offline checks only). */
  offline?: boolean | undefined;
  /** Connect/greeting timeout of the network checks, default 10 s. */
  timeoutMs?: number | undefined;
}

/**
 * Runs every check even after one fails, so one run shows the admin everything to fix.
 */
export async function doctorCommand(io: CliIo, opts: DoctorOptions): Promise<ExitCode> {
  const file = resolveConfigPath(io, opts.config);
  const checks: DoctorCheck[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(file);
    checks.push({ name: 'config', ok: true, detail: `${file} is valid` });
    for (const detail of configWarnings(config)) checks.push({ name: 'config', ok: true, warning: true, detail });
  } catch (err) {
    const detail = err instanceof ConfigError ? err.issues.map(formatIssue).join('\n') : (err as Error).message;
    checks.push({ name: 'config', ok: false, detail });
  }
  if (config) {
    checks.push(...secretChecks(config, io.env));
    checks.push(databaseCheck(config));
    checks.push(...writableChecks(config));
    if (!opts.offline) {
      const timeoutMs = opts.timeoutMs ?? 10_000;
      if (config.source.kind === 'imap') checks.push(...(await imapChecks(config.source, io.env, timeoutMs)));
      if (config.transport.kind === 'smtp') checks.push(await smtpCheck(config.transport, io.env, timeoutMs));
    }
  }
  const ok = checks.every((c) => c.ok);
  if (opts.json) printJson(io, { ok, checks });
  else {
    for (const c of checks) {
      const [first, ...rest] = c.detail.split('\n');
      io.out(`${!c.ok ? 'FAIL' : c.warning ? 'WARN' : 'ok  '} ${c.name}: ${first}`);
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

/**
 * Passes whatever `run` would open by itself: a missing database (created on the first start, the
 * "data dir" check says whether it can be) and an older schema (migrated on start). Fails what
 * `run` would refuse: a file that is not a database it can open, a schema newer than the code.
 */
function databaseCheck(config: Config): DoctorCheck {
  const file = config.store.path;
  if (file !== ':memory:' && !existsSync(file)) {
    return { name: 'database', ok: true, detail: `${file} will be created on first run (\`tidings run\` or \`tidings migrate\`)` };
  }
  try {
    const db = openDatabase(file, { readonly: true, busyTimeoutMs: config.store.busy_timeout_ms });
    try {
      const have = schemaVersion(db);
      const migrations = loadMigrations();
      const want = migrations.length ? migrations[migrations.length - 1]!.version : 0;
      if (have === want) return { name: 'database', ok: true, detail: `${file} opens, schema version ${have} is current` };
      if (have > want) return { name: 'database', ok: false, detail: `${file} has schema version ${have}, newer than this tidings (${want}) (E_SCHEMA_TOO_NEW)` };
      return { name: 'database', ok: true, detail: `${file} is at schema version ${have}; \`tidings run\` (or \`tidings migrate\`) upgrades it to ${want}` };
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

type ImapSourceConfig = Extract<Config['source'], { kind: 'imap' }>;
type SmtpTransportConfig = Extract<Config['transport'], { kind: 'smtp' }>;

/** Why a connection or login failed, in words an admin can act on. */
function networkFailure(err: unknown, what: string, where: string): string {
  const e = err as { code?: string; message?: string; authenticationFailed?: boolean; responseText?: string; response?: string; responseCode?: number };
  if (e.authenticationFailed || e.code === 'EAUTH' || e.responseCode === 535) {
    return `${what} login at ${where} was refused: wrong user or password (${e.responseText ?? e.response ?? e.message ?? 'authentication failed'})`;
  }
  // nodemailer wraps socket errors as ESOCKET with the system code in the message.
  const code = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT)\b/.exec(e.message ?? '')?.[1] ?? e.code;
  if (code === 'ECONNREFUSED') return `cannot connect to ${what} at ${where}: connection refused (wrong host or port, or the server is down)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the ${what} host of ${where} (${code})`;
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT' || code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT') {
    return `${what} at ${where} did not answer in time (${code}): wrong port, TLS setting or a firewall`;
  }
  return `${what} at ${where} failed: ${e.code ? `${e.code} ` : ''}${e.responseText ?? e.message ?? String(err)}`;
}

/** Logs in to the configured IMAP server and checks that the inbox and the processed folder exist. */
async function imapChecks(src: ImapSourceConfig, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck[]> {
  const where = `${src.host}:${src.port}${src.secure ? ' (TLS)' : ''}`;
  const pass = readSecret({ env: src.password_env, file: src.password_file }, env);
  if (pass === undefined) return [{ name: 'imap login', ok: false, detail: `skipped: no IMAP password (see "imap password")` }];
  // loaded here: `doctor --offline` and a Maildir desk never talk IMAP
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: src.host,
    port: src.port,
    secure: src.secure,
    auth: { user: src.user, pass },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.close();
    return [{ name: 'imap login', ok: false, detail: networkFailure(err, 'IMAP', where) }];
  }
  const out: DoctorCheck[] = [{ name: 'imap login', ok: true, detail: `logged in as ${src.user} at ${where}` }];
  try {
    const boxes = await client.list();
    const paths = new Set(boxes.map((b) => b.path));
    const has = (name: string): boolean => paths.has(name) || (name.toUpperCase() === 'INBOX' && [...paths].some((p) => p.toUpperCase() === 'INBOX'));
    for (const [label, folder] of [['imap folder', src.folder], ['imap processed folder', src.processed_folder]] as const) {
      out.push(
        has(folder)
          ? { name: label, ok: true, detail: `${folder} exists` }
          : { name: label, ok: false, detail: `${folder} does not exist on ${where} (folders: ${[...paths].sort().join(', ')}); create it or fix the config` },
      );
    }
    await client.logout();
  } catch (err) {
    out.push({ name: 'imap folders', ok: false, detail: networkFailure(err, 'IMAP', where) });
    client.close();
  }
  return out;
}

/** Connects, says EHLO and logs in when a user is configured, without sending anything. */
async function smtpCheck(tr: SmtpTransportConfig, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  const where = `${tr.host}:${tr.port}${tr.secure ? ' (TLS)' : ''}`;
  let auth: { user: string; pass: string } | undefined;
  if (tr.user) {
    const pass = readSecret({ env: tr.password_env, file: tr.password_file }, env);
    if (pass === undefined) return { name: 'smtp', ok: false, detail: 'skipped: no SMTP password (see "smtp password")' };
    auth = { user: tr.user, pass };
  }
  const { default: nodemailer } = await import('nodemailer');
  const transporter = nodemailer.createTransport({
    host: tr.host,
    port: tr.port,
    secure: tr.secure,
    ...(auth ? { auth } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
    logger: false,
    debug: false,
  });
  try {
    await transporter.verify();
    return { name: 'smtp', ok: true, detail: `EHLO${auth ? ` and login as ${auth.user}` : ''} accepted by ${where} (nothing sent)` };
  } catch (err) {
    return { name: 'smtp', ok: false, detail: networkFailure(err, 'SMTP', where) };
  } finally {
    transporter.close();
  }
}

// A self-contained Dovecot (IMAP + LMTP) for integration tests: its own config, runtime, state, log
// and mail directories under one mkdtemp dir, listening on free 127.0.0.1 ports, started and
// stopped by the test. Requires root and the Debian packages dovecot-imapd and dovecot-lmtpd
// (see test/support/CI-NOTES.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, accessSync, constants as fsConstants, statSync, fstatSync, openSync, closeSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { freePorts, probe, waitUntil, LOCALHOST } from './net.js';
import { lmtpDeliver } from './lmtp.js';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface StartDovecotOptions {
  /** Mail accounts (passwd-file, {PLAIN}). Default: support@desk.example / support-secret. */
  users?: DovecotUser[];
  /**
   * Folders auto-created and subscribed for every user, besides INBOX.
   * Default: ['Processed', 'Sent', 'Trash'] (Sent/Trash carry the \Sent/\Trash special-use flags).
   */
  folders?: string[];
  /** Keep the temp dir after stop() (also enabled by env TIDINGS_KEEP_TEST_DIRS=1). */
  keepDir?: boolean;
  /** How long to wait for the IMAP/LMTP greetings on start (default 20 s). */
  startTimeoutMs?: number;
}

export interface DeliverOptions {
  /** envelope sender (MAIL FROM); default is the null sender <> */
  from?: string;
}

export interface DovecotServer {
  readonly host: '127.0.0.1';
  readonly imapPort: number;
  readonly lmtpPort: number;
  readonly users: readonly DovecotUser[];
  /** the temp dir holding dovecot.conf, passwd, run/, state/, home/, dovecot.log */
  readonly dir: string;
  /** Hierarchy separator of the inbox namespace ('/'), e.g. 'Archive/2024'. */
  readonly separator: string;
  /**
   * Delivers one message into the user's INBOX over LMTP, as an MTA would. Bare LF line endings
   * are sent as CRLF. Deliveries are serialised and each resolves after Dovecot's final 250, so
   * sequential calls get increasing UIDs. Dovecot prepends Return-Path, Delivered-To and Received
   * headers; the delivered bytes follow unchanged.
   */
  deliver(user: string, raw: Buffer | string, opts?: DeliverOptions): Promise<void>;
  /**
   * IMAP APPEND (imapflow, logged in as `user`) into `folder`; returns the UID the server
   * assigned (UIDPLUS APPENDUID).
   */
  append(user: string, folder: string, raw: Buffer | string, flags?: string[]): Promise<number | undefined>;
  /** ImapFlow options for logging in as `user` (password looked up from `users`). */
  imapOptions(user: string, extra?: Partial<ImapFlowOptions>): ImapFlowOptions;
  /** Connected + authenticated ImapFlow client for `user`; the caller must logout()/close(). */
  connect(user: string, extra?: Partial<ImapFlowOptions>): Promise<ImapFlow>;
  /** Path of the user's Maildir (may not exist before the first delivery/login). */
  maildir(user: string): string;
  /** Last `lines` lines of the Dovecot log, for assertion messages. */
  logTail(lines?: number): string;
  /** Stops Dovecot (waits until both ports refuse connections) and removes the temp dir. */
  stop(): Promise<void>;
  /**
   * Stops (if running) and starts again on the same ports with the same mail: for reconnect
   * tests. Open IMAP sessions are cut when it stops.
   */
  restart(): Promise<void>;
  /** Stops Dovecot cleanly but keeps the temp dir; restart() starts it again. */
  shutdown(): Promise<void>;
  /**
   * SIGKILLs the master and all its processes at once (no BYE to clients, no index flush), as in
   * a crash; restart() starts it again on the same ports and mail.
   */
  crash(): Promise<void>;
  /** Whether the Dovecot master process is currently running. */
  readonly running: boolean;
}

const DEFAULT_USERS: DovecotUser[] = [{ user: 'support@desk.example', password: 'support-secret' }];
const DEFAULT_FOLDERS = ['Processed', 'Sent', 'Trash'];
const SPECIAL_USE: Record<string, string> = {
  Sent: '\\Sent',
  Trash: '\\Trash',
  Drafts: '\\Drafts',
  Junk: '\\Junk',
  Archive: '\\Archive',
};
const REQUIRED_CAPABILITIES = ['IDLE', 'UIDPLUS', 'MOVE', 'CONDSTORE'] as const;

// ---------------------------------------------------------------------------------------------
// environment checks

interface Account {
  uid: number;
  gid: number;
}

function readAccounts(file: string): Map<string, Account> {
  const map = new Map<string, Account>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return map;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !f[0]) continue;
    map.set(f[0], { uid: Number(f[2]), gid: Number(f[3]) });
  }
  return map;
}

function findBinary(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/sbin']);
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface Environment {
  dovecot: string;
  mail: Account;
}

let envCache: Environment | undefined;

/** Throws a readable error when this machine cannot run the harness (no hang, no cryptic log). */
export function checkDovecotEnvironment(): Environment {
  if (envCache) return envCache;
  const problems: string[] = [];
  const dovecot = findBinary('dovecot');
  if (!dovecot) problems.push('the `dovecot` binary is not installed (apt-get install -y dovecot-imapd dovecot-lmtpd)');
  // Debian/Ubuntu keep the service binaries in /usr/lib/dovecot, Fedora/Alpine in /usr/libexec/dovecot
  const libexec = ['/usr/lib/dovecot', '/usr/libexec/dovecot'].find((d) => existsSync(path.join(d, 'imap-login')));
  for (const bin of ['imap', 'imap-login', 'lmtp', 'auth', 'log', 'config', 'anvil']) {
    const p = path.join(libexec ?? '/usr/lib/dovecot', bin);
    if (dovecot && !existsSync(p)) {
      const pkg = bin === 'lmtp' ? 'dovecot-lmtpd' : bin.startsWith('imap') ? 'dovecot-imapd' : 'dovecot-core';
      problems.push(`${p} is missing (install the Debian package ${pkg})`);
    }
  }
  const users = readAccounts('/etc/passwd');
  for (const u of ['dovecot', 'dovenull', 'mail']) {
    if (!users.has(u)) problems.push(`system user \`${u}\` does not exist (created by the dovecot-core package)`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    problems.push(`the harness runs Dovecot as root with privilege separation, but the tests run as uid ${process.getuid()}`);
  }
  if (problems.length > 0 || !dovecot) {
    throw new Error(`startDovecot: cannot run Dovecot on this machine:\n  - ${problems.join('\n  - ')}`);
  }
  envCache = { dovecot, mail: users.get('mail')! };
  return envCache;
}

// ---------------------------------------------------------------------------------------------
// processes left running when the test process exits are told to shut down

/** Live (non-zombie) pids of process group `pgid`, from /proc (zombies may never be reaped when pid 1 is not an init). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      // pid (comm) state ppid pgrp ...; comm may contain spaces/parens, so parse after the last ')'
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] !== 'Z' && Number(rest[2]) === pgid) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function signalGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

const liveMasters = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackMaster(child: ChildProcess): void {
  liveMasters.add(child);
  child.once('exit', () => liveMasters.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveMasters) {
        signalGroup(c.pid, 'SIGTERM'); // the master and every process it started
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------

function validateUsers(users: DovecotUser[]): void {
  if (users.length === 0) throw new Error('startDovecot: at least one user is required');
  const seen = new Set<string>();
  for (const { user, password } of users) {
    if (!/^[a-z0-9._+-]+(@[a-z0-9.-]+)?$/.test(user)) {
      throw new Error(`startDovecot: user name ${JSON.stringify(user)} must be lower-case [a-z0-9._+-] with an optional @domain`);
    }
    if (/[:\r\n]/.test(password) || password.length === 0) {
      throw new Error(`startDovecot: password for ${user} must be non-empty without ':' or newlines`);
    }
    if (seen.has(user)) throw new Error(`startDovecot: duplicate user ${user}`);
    seen.add(user);
  }
}

/** Make sure dovecot/dovenull/mail can traverse the temp root (a private TMPDIR would break it). */
function pickTempRoot(): string {
  const candidates = [process.env.TIDINGS_TEST_TMPDIR, os.tmpdir(), '/tmp'].filter((x): x is string => !!x);
  for (const c of candidates) {
    const abs = path.resolve(c);
    let ok = true;
    for (let p = abs; ; p = path.dirname(p)) {
      try {
        const st = statSync(p);
        if (!st.isDirectory() || (st.mode & 0o001) === 0) ok = false;
      } catch {
        ok = false;
      }
      if (!ok || p === path.dirname(p)) break;
    }
    // unix socket paths (<dir>/run/login/imap-urlauth ...) must stay under ~100 bytes
    if (ok && abs.length <= 40) return abs;
  }
  throw new Error(
    `startDovecot: no usable temp dir (needs world-traversable path of <= 40 chars); tried ${candidates.join(', ')}`,
  );
}

function quoteConf(value: string): string {
  if (/["\\\n]/.test(value)) throw new Error(`startDovecot: unsupported character in config value ${value}`);
  return `"${value}"`;
}

function buildConfig(p: {
  dir: string;
  imapPort: number;
  lmtpPort: number;
  folders: string[];
}): string {
  const { dir } = p;
  const mailboxes = p.folders
    .map((f) => {
      const su = SPECIAL_USE[f];
      return `  mailbox ${quoteConf(f)} {\n    auto = subscribe\n${su ? `    special_use = ${su}\n` : ''}  }`;
    })
    .join('\n');
  return `# generated by test/support/dovecot.ts for one integration test run
instance_name = tidings-${path.basename(dir)}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
debug_log_path = ${dir}/dovecot.log
protocols = imap lmtp
listen = ${LOCALHOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# answer a wrong password after ~0.5 s instead of the default 2 s (0 is not quite 0 in 2.3)
auth_failure_delay = 0
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
# tests open many connections from 127.0.0.1 for the same user
mail_max_userip_connections = 200
postmaster_address = postmaster@localhost
shutdown_clients = yes

passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=mail gid=mail home=${dir}/home/%u
}

namespace inbox {
  inbox = yes
  separator = /
${mailboxes}
}

service imap-login {
  inet_listener imap {
    address = ${LOCALHOST}
    port = ${p.imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
# no anvil auth penalty: after one failed login from 127.0.0.1 Dovecot would otherwise delay every
# later login from that IP by 2, 4, 8 ... 15 s, which slows down all tests after a bad-password test
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = ${LOCALHOST}
    port = ${p.lmtpPort}
  }
}
`;
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    const text = await fs.readFile(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '(no log)';
  }
}

/**
 * A "Fatal:" line the master printed on stderr (bad config, port in use, ...). The master may
 * linger for seconds after it (waiting for its children), so startup stops on the line itself.
 */
function fatalIn(stderrFile: string, fromByte: number): Error | undefined {
  let text = '';
  try {
    text = readFileSync(stderrFile).subarray(fromByte).toString('utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => /\bFatal:/.test(l));
  return line ? new Error(`dovecot reported: ${line.trim()}`) : undefined;
}

function tailSync(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '(no log)';
  }
}

class DovecotInstance implements DovecotServer {
  readonly host = LOCALHOST;
  readonly separator = '/';
  private child: ChildProcess | undefined;
  private exited: Error | undefined;
  private deliveries: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private listening = false;

  constructor(
    private readonly env: Environment,
    readonly dir: string,
    readonly imapPort: number,
    readonly lmtpPort: number,
    readonly users: readonly DovecotUser[],
    private readonly startTimeoutMs: number,
    private readonly keepDir: boolean,
  ) {}

  get confPath(): string {
    return path.join(this.dir, 'dovecot.conf');
  }
  get logPath(): string {
    return path.join(this.dir, 'dovecot.log');
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  logTail(lines = 30): string {
    return tailSync(this.logPath, lines);
  }

  maildir(user: string): string {
    return path.join(this.dir, 'home', user, 'Maildir');
  }

  private password(user: string): string {
    const u = this.users.find((x) => x.user === user);
    if (!u) throw new Error(`Dovecot harness: unknown user ${user} (have ${this.users.map((x) => x.user).join(', ')})`);
    return u.password;
  }

  imapOptions(user: string, extra: Partial<ImapFlowOptions> = {}): ImapFlowOptions {
    return {
      host: this.host,
      port: this.imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: this.password(user) },
      logger: false,
      ...extra,
    };
  }

  async connect(user: string, extra: Partial<ImapFlowOptions> = {}): Promise<ImapFlow> {
    const client = new ImapFlow(this.imapOptions(user, { disableAutoIdle: true, ...extra }));
    client.on('error', () => undefined); // surfaced through the rejected command instead
    await client.connect();
    return client;
  }

  /** Spawns the master in the foreground (-F) so an early exit is seen at once. */
  async start(): Promise<void> {
    if (this.running) throw new Error('Dovecot harness: already running');
    this.exited = undefined;
    const stderrFile = path.join(this.dir, 'dovecot.stderr');
    const fd = openSync(stderrFile, 'a');
    const stderrStart = fstatSync(fd).size; // the file is shared by all starts of this instance
    let child: ChildProcess;
    try {
      // -F: foreground, so we see an early exit; detached: own process group, so stop can reach
      // the imap processes that outlive the master
      child = spawn(this.env.dovecot, ['-F', '-c', this.confPath], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    trackMaster(child);
    child.unref(); // a forgotten stop() must not keep the test process alive (exit hook stops it)
    child.once('error', (err) => {
      this.exited = new Error(`could not spawn ${this.env.dovecot}: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      this.exited = new Error(`dovecot master exited during startup (code ${code}, signal ${signal})`);
    });

    const describe = (): string =>
      `--- ${stderrFile} ---\n${tailSync(stderrFile, 20)}\n--- ${this.logPath} (tail) ---\n${this.logTail(30)}`;
    try {
      for (const [port, proto, ok] of [
        [this.imapPort, 'IMAP', (g: string) => g.startsWith('* OK')],
        [this.lmtpPort, 'LMTP', (g: string) => g.startsWith('220 ')],
      ] as const) {
        await waitUntil(
          async () => {
            const r = await probe(port, this.host, 1_000);
            if (r.greeting !== undefined && !ok(r.greeting)) {
              throw new Error(`unexpected ${proto} greeting on port ${port}: ${r.greeting}`);
            }
            return r.greeting !== undefined;
          },
          {
            timeoutMs: this.startTimeoutMs,
            what: `Dovecot ${proto} greeting on ${this.host}:${port}`,
            abort: () => this.exited ?? fatalIn(stderrFile, stderrStart),
          },
        );
      }
      this.listening = true;
    } catch (err) {
      await this.shutdown().catch(() => undefined);
      const e = new Error(`startDovecot failed: ${(err as Error).message}\n${describe()}`);
      (e as Error & { logTail?: string }).logTail = describe();
      throw e;
    }
  }

  /**
   * Stops the master and every process it started, then waits until both ports refuse
   * connections. Keeps the temp dir.
   *
   * SIGTERM goes to the whole process group (master, imap, lmtp, auth, log, ...), not only to
   * the master as `dovecot -c FILE stop` does: when only the master stops, Dovecot lets imap
   * processes finish on their own, and a session that did I/O within the last ~10 s stays
   * connected (and served!) until it has been idle that long; `dovecot stop` also polls with a
   * 1 s sleep. Each imap process answers SIGTERM with "* BYE Server shutting down." at once.
   * Typical stop: ~10 ms; now and then the master itself needs ~1 s to reap its children.
   */
  async shutdown(): Promise<void> {
    await this.terminate('SIGTERM');
  }

  async crash(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  private async terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const pgid = child.pid;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (signal === 'SIGKILL') signalGroup(pgid, 'SIGKILL');
      else signalGroup(pgid, 'SIGTERM');
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 10_000).unref()),
      ]);
      if (timedOut) {
        signalGroup(pgid, 'SIGKILL');
        await exited;
      }
    }
    if (pgid !== undefined && groupMembers(pgid).length > 0) {
      signalGroup(pgid, 'SIGTERM');
      try {
        await waitUntil(async () => groupMembers(pgid).length === 0, {
          timeoutMs: 5_000,
          what: `Dovecot processes of group ${pgid} to exit`,
        });
      } catch {
        signalGroup(pgid, 'SIGKILL');
        await waitUntil(async () => groupMembers(pgid).length === 0, {
          timeoutMs: 5_000,
          what: `Dovecot processes of group ${pgid} to exit after SIGKILL`,
          describe: () => groupMembers(pgid).join(', '),
        });
      }
    }
    // only when this master had bound them: after a failed start the port may belong to someone else
    if (!this.listening) return;
    this.listening = false;
    await waitUntil(
      async () => {
        const [a, b] = await Promise.all([probe(this.imapPort, this.host, 500), probe(this.lmtpPort, this.host, 500)]);
        return !a.accepted && !b.accepted;
      },
      { timeoutMs: 10_000, what: `Dovecot ports ${this.imapPort}/${this.lmtpPort} to close`, describe: () => this.logTail(20) },
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.deliveries.catch(() => undefined);
    await this.shutdown();
    if (!this.keepDir) await fs.rm(this.dir, { recursive: true, force: true });
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error('Dovecot harness: restart() after stop()');
    await this.shutdown();
    await this.start();
  }

  deliver(user: string, raw: Buffer | string, opts: DeliverOptions = {}): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await lmtpDeliver(raw, {
          host: this.host,
          port: this.lmtpPort,
          rcpt: user,
          ...(opts.from !== undefined ? { from: opts.from } : {}),
        });
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- dovecot log (tail) ---\n${await tail(this.logPath, 15)}`);
      }
    };
    const p = this.deliveries.then(run, run);
    this.deliveries = p.catch(() => undefined);
    return p;
  }

  async append(user: string, folder: string, raw: Buffer | string, flags?: string[]): Promise<number | undefined> {
    const client = await this.connect(user);
    try {
      const res = await client.append(folder, typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, flags ?? []);
      if (res === false) throw new Error(`IMAP APPEND to ${folder} as ${user} failed`);
      return res.uid;
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}

/** Verifies after login that the server advertises what tidings relies on. */
async function checkCapabilities(server: DovecotInstance): Promise<void> {
  const first = server.users[0]!;
  const client = await server.connect(first.user);
  try {
    const missing = REQUIRED_CAPABILITIES.filter((c) => !client.capabilities.has(c));
    if (missing.length > 0) {
      throw new Error(
        `startDovecot: server lacks ${missing.join(', ')}; has ${[...client.capabilities.keys()].join(' ')}`,
      );
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export async function startDovecot(opts: StartDovecotOptions = {}): Promise<DovecotServer> {
  const env = checkDovecotEnvironment();
  const users = (opts.users ?? DEFAULT_USERS).map((u) => ({ ...u }));
  validateUsers(users);
  const folders = opts.folders ?? DEFAULT_FOLDERS;
  for (const f of folders) {
    // '.' is the on-disk hierarchy separator of Maildir++, so it cannot appear in a name
    if (!/^[A-Za-z0-9 _-]+(\/[A-Za-z0-9 _-]+)*$/.test(f) || f.toUpperCase() === 'INBOX') {
      throw new Error(`startDovecot: unsupported folder name ${JSON.stringify(f)}`);
    }
  }
  const keepDir = opts.keepDir ?? process.env.TIDINGS_KEEP_TEST_DIRS === '1';

  const dir = await fs.mkdtemp(path.join(pickTempRoot(), 'tidings-dovecot-'));
  try {
    await fs.chmod(dir, 0o755);
    for (const sub of ['run', 'state']) await fs.mkdir(path.join(dir, sub), { mode: 0o755 });
    const home = path.join(dir, 'home');
    await fs.mkdir(home, { mode: 0o755 });
    await fs.chown(home, env.mail.uid, env.mail.gid);
    for (const { user } of users) {
      const h = path.join(home, user);
      await fs.mkdir(h, { mode: 0o700 });
      await fs.chown(h, env.mail.uid, env.mail.gid);
    }
    const passwd = path.join(dir, 'passwd');
    await fs.writeFile(passwd, users.map((u) => `${u.user}:{PLAIN}${u.password}::::::\n`).join(''), { mode: 0o644 });
    await fs.chmod(passwd, 0o644); // the auth process runs as `dovecot`
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }

  const timeout = opts.startTimeoutMs ?? 20_000;
  let lastError: unknown;
  // a port picked by freePorts() can be taken by a parallel worker before Dovecot binds it: retry
  for (let attempt = 0; attempt < 3; attempt++) {
    const [imapPort, lmtpPort] = (await freePorts(2)) as [number, number];
    await fs.writeFile(path.join(dir, 'dovecot.conf'), buildConfig({ dir, imapPort, lmtpPort, folders }), {
      mode: 0o644,
    });
    const server = new DovecotInstance(env, dir, imapPort, lmtpPort, users, timeout, keepDir);
    try {
      await server.start();
      await checkCapabilities(server);
      return server;
    } catch (err) {
      lastError = err;
      await server.shutdown().catch(() => undefined);
      const log = server.logTail(50);
      if (!/Address already in use/i.test(`${(err as Error).message}\n${log}`)) break;
    }
  }
  if (!keepDir) await fs.rm(dir, { recursive: true, force: true });
  throw lastError;
}

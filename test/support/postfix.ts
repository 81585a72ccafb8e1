// A self-contained Postfix for integration tests, alike test/support/dovecot.ts: its own
// config_directory, queue_directory, data_directory and log file under one mkdtemp dir, an smtpd on
// a free 127.0.0.1 port, and mail for one domain relayed to an LMTP listener. Started and stopped
// by the test; needs root and the Debian package `postfix` (CI installs it, see .ci/run).
import { execFile } from 'node:child_process';
import { accessSync, chownSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, probe, waitUntil, LOCALHOST } from './net.js';

const run = promisify(execFile);
const POSTFIX = '/usr/sbin/postfix';
const POSTQUEUE = '/usr/sbin/postqueue';

export interface StartPostfixOptions {
  /** Mail for this domain is relayed over LMTP (relay_domains and transport_maps). */
  domain: string;
  /** The LMTP listener it delivers to. */
  lmtp: { host: string; port: number };
  /** Retry deferred mail after this many seconds (queue_run_delay, backoff times); default 1. */
  retrySeconds?: number;
  /** Keep the temp dir after stop() (also with env TIDINGS_KEEP_TEST_DIRS=1). */
  keepDir?: boolean;
}

export interface PostfixServer {
  readonly host: '127.0.0.1';
  /** The smtpd port mail is submitted to. */
  readonly smtpPort: number;
  readonly dir: string;
  /** Queue IDs still in the queue (deferred or active), from `postqueue -j`. */
  queue(): Promise<Array<{ id: string; reason?: string }>>;
  /** Asks Postfix to retry deferred mail now (`postqueue -f`). */
  flush(): Promise<void>;
  /** Last `lines` lines of the mail log, for assertion messages. */
  logTail(lines?: number): string;
  /** The whole mail log. */
  log(): string;
  stop(): Promise<void>;
}

/** Why this machine cannot run the harness, or undefined when it can (for describe.skipIf). */
export function postfixUnavailable(): string | undefined {
  try {
    accessSync(POSTFIX, fsConstants.X_OK);
  } catch {
    return 'postfix is not installed (Debian: apt-get install postfix; .ci/run installs it)';
  }
  if (process.getuid?.() !== 0) return 'the Postfix harness needs root (its master switches to the postfix user)';
  const passwd = readFileSync('/etc/passwd', 'utf8');
  if (!/^postfix:/m.test(passwd)) return 'the postfix system user is missing (the postfix package creates it)';
  return undefined;
}

function mainCf(dir: string, o: { domain: string; lmtp: { host: string; port: number }; retrySeconds: number }): string {
  return `# written by test/support/postfix.ts
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.${o.domain}
mydomain = ${o.domain}
myorigin = ${o.domain}
inet_interfaces = ${LOCALHOST}
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
relay_domains = ${o.domain}
transport_maps = inline:{ ${o.domain}=lmtp:inet:${o.lmtp.host}:${o.lmtp.port} }
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
biff = no
smtputf8_enable = no
queue_run_delay = ${o.retrySeconds}s
minimal_backoff_time = ${o.retrySeconds}s
maximal_backoff_time = ${o.retrySeconds * 2}s
`;
}

function masterCf(port: number): string {
  const services = [
    `${LOCALHOST}:${port} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'lmtp unix - - n - - lmtp',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
  ];
  return `${services.join('\n')}\n`;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no mail log)';
  }
}

export async function startPostfix(opts: StartPostfixOptions): Promise<PostfixServer> {
  const why = postfixUnavailable();
  if (why) throw new Error(`startPostfix: ${why}`);
  const keepDir = opts.keepDir ?? process.env.TIDINGS_KEEP_TEST_DIRS === '1';
  // not os.tmpdir(): the postfix user must reach data/, so the whole path must be traversable
  const dir = await fs.mkdtemp(path.join('/tmp', 'tidings-postfix-'));
  await fs.chmod(dir, 0o755);
  const etc = path.join(dir, 'etc');
  for (const sub of ['etc', 'queue', 'data']) await fs.mkdir(path.join(dir, sub), { mode: 0o755 });
  const pw = /^postfix:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))!;
  chownSync(path.join(dir, 'data'), Number(pw[1]), Number(pw[2]));
  const logFile = path.join(dir, 'maillog');
  const postfix = (...args: string[]) => run(POSTFIX, ['-c', etc, ...args], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });

  let lastError: unknown;
  // a port picked by freePort() can be taken before the master binds it: retry with another
  for (let attempt = 0; attempt < 3; attempt++) {
    const smtpPort = await freePort();
    await fs.writeFile(path.join(etc, 'main.cf'), mainCf(dir, { domain: opts.domain, lmtp: opts.lmtp, retrySeconds: opts.retrySeconds ?? 1 }));
    await fs.writeFile(path.join(etc, 'master.cf'), masterCf(smtpPort));
    try {
      // `postfix start` creates the queue directories (post-install), then waits for the master's init status
      await postfix('start');
      await waitUntil(async () => (await probe(smtpPort, LOCALHOST, 1_000)).greeting?.startsWith('220 '), {
        timeoutMs: 20_000,
        what: `Postfix smtpd greeting on ${LOCALHOST}:${smtpPort}`,
        describe: () => tail(logFile, 20),
      });
    } catch (err) {
      lastError = new Error(`startPostfix failed: ${(err as Error).message}\n--- ${logFile} ---\n${tail(logFile, 20)}`);
      await postfix('abort').catch(() => undefined);
      if (/Address already in use/i.test(tail(logFile, 20))) continue;
      break;
    }

    let stopped = false;
    return {
      host: LOCALHOST,
      smtpPort,
      dir,
      async queue() {
        const { stdout } = await run(POSTQUEUE, ['-c', etc, '-j']);
        return stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as { queue_id: string; recipients: Array<{ delay_reason?: string }> })
          .map((q) => ({ id: q.queue_id, ...(q.recipients[0]?.delay_reason ? { reason: q.recipients[0].delay_reason } : {}) }));
      },
      async flush() {
        await run(POSTQUEUE, ['-c', etc, '-f']);
      },
      logTail: (lines = 30) => tail(logFile, lines),
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
      async stop() {
        if (stopped) return;
        stopped = true;
        await postfix('stop').catch(() => postfix('abort').catch(() => undefined));
        await waitUntil(async () => !(await probe(smtpPort, LOCALHOST, 500)).accepted, { timeoutMs: 10_000, what: `Postfix port ${smtpPort} to close` });
        if (!keepDir) await fs.rm(dir, { recursive: true, force: true });
      },
    };
  }
  if (!keepDir) await fs.rm(dir, { recursive: true, force: true });
  throw lastError;
}

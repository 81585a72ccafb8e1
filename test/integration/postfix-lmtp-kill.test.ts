import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_FILES, STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { compiledTree } from '../support/compiled-tree.js';
import { freePort, waitUntil } from '../support/net.js';
import { postfixUnavailable, startPostfix, type PostfixServer } from '../support/postfix.js';
import { daemonChild } from '../support/daemon-child.js';
import { until } from '../support/until.js';

const skip = postfixUnavailable();
if (skip) console.warn(`skipping the Postfix kill -9 test: ${skip}`);
const N = 150;

/**
 * The real daemon (compiled, in a child process) behind a real Postfix, killed with SIGKILL while
 * Postfix is delivering: what got no 250 stays queued and is delivered again, what was committed
 * but not answered comes back as a duplicate. Every message ends up stored exactly once.
 */
describe.skipIf(skip !== undefined)('the LMTP daemon killed with SIGKILL during Postfix deliveries', () => {
  let build: ReturnType<typeof compiledTree> | undefined;
  let postfix: PostfixServer | undefined;
  let cfg: ConfigDir | undefined;
  let dataDir: string | undefined;
  const env = { ...process.env, TIDINGS_TEST_HMAC: 'h'.repeat(32), TIDINGS_LOG_LEVEL: 'warn' };
  const daemon = daemonChild({ mainJs: () => path.join(build!.dir, 'src/cli/main.js'), config: () => cfg!.main, dbPath: () => path.join(dataDir!, 'tidings.db'), env });
  const { exited, count } = daemon;
  const spawnDaemon = (): ChildProcess => daemon.start();

  beforeAll(async () => {
    build = compiledTree('postfix-lmtp-kill');
    const port = await freePort();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-lmtp-kill-'));
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: support@desk.example, name: Support }
source: { kind: lmtp, listen: "127.0.0.1:${port}" }
transport: { kind: file, path: ${path.join(dataDir, 'outbox')} }
store: { path: ${path.join(dataDir, 'tidings.db')} }
security: { hmac_key_env: TIDINGS_TEST_HMAC }
http: { enabled: false }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      'levels.yaml': BASE_FILES['levels.yaml']!,
      'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS,
    });
    postfix = await startPostfix({ domain: 'desk.example', lmtp: { host: '127.0.0.1', port } });
  }, 180_000);

  afterAll(async () => {
    await daemon.stopAll();
    await postfix?.stop();
    cfg?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    build?.remove();
  });

  it(`stores each of ${N} messages exactly once across two kills`, async () => {
    let c = spawnDaemon();
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: postfix!.smtpPort, ignoreTLS: true, pool: true, maxConnections: 2 });
    try {
      await Promise.all(
        Array.from({ length: N }, (_, k) => {
          const i = k + 1;
          const from = `client${i}@c${i}.example`;
          const raw = `From: ${from}\r\nTo: support@desk.example\r\nSubject: Request ${i}\r\nMessage-ID: <lmtp-kill-${i}@c.example>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\nPlease help with ${i}.\r\n`;
          return t.sendMail({ envelope: { from, to: ['support@desk.example'] }, raw });
        }),
      );
    } finally {
      t.close();
    }
    const kills: number[] = [];
    for (const target of [Math.floor(N / 4), Math.floor(N / 2) + 7]) {
      await until(`${target} tickets`, () => count('SELECT count(*) AS n FROM tickets') >= target, 90_000);
      c.kill('SIGKILL');
      await exited(c);
      kills.push(count('SELECT count(*) AS n FROM tickets'));
      c = spawnDaemon();
      await postfix!.flush();
    }
    await waitUntil(
      async () => {
        if ((await postfix!.queue()).length === 0) return true;
        await postfix!.flush();
        return false;
      },
      { timeoutMs: 120_000, what: 'the Postfix queue to drain', describe: () => postfix!.logTail(20) },
    );
    c.kill('SIGTERM');
    expect(await exited(c)).toBe(0);

    expect(count('SELECT count(*) AS n FROM tickets')).toBe(N);
    expect(count('SELECT count(DISTINCT requester) AS n FROM tickets')).toBe(N);
    expect(count('SELECT count(*) AS n FROM messages')).toBe(N);
    expect(count("SELECT count(*) AS n FROM outbox WHERE kind = 'ack'")).toBe(N);
    const sent = (postfix!.log().match(/status=sent/g) ?? []).length;
    console.log(`postfix kill/restart: killed at ${kills.join(' and ')} tickets; ${sent} LMTP deliveries for ${N} messages`);
    expect(sent).toBeGreaterThanOrEqual(N);
  }, 300_000);
});

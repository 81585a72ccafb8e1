import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { freePort, waitUntil } from '../support/net.js';
import { postfixUnavailable, startPostfix, type PostfixServer } from '../support/postfix.js';
import { until } from '../support/until.js';

const skip = postfixUnavailable();
if (skip) console.warn(`skipping the Postfix LMTP tests: ${skip}`);

const hello = (n: number): string => `From: Ann Client <ann@client.example>
To: support@desk.example
Subject: Cannot log in ${n}
Message-ID: <postfix-hello-${n}@client.example>
Date: Mon, 23 Nov 2026 10:00:00 +0100

Hello, I cannot log in since this morning.
`;

describe.skipIf(skip !== undefined)('real Postfix delivering to the LMTP source', () => {
  let cfg: ConfigDir | undefined;
  let daemon: Daemon | undefined;
  let postfix: PostfixServer | undefined;
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await postfix?.stop();
    postfix = undefined;
    cfg?.remove();
  });

  const setup = async (): Promise<{ port: number; start: () => Promise<Daemon> }> => {
    const port = await freePort();
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: support@desk.example, name: Support, aliases: [help@desk.example] }
source: { kind: lmtp, listen: "127.0.0.1:${port}" }
transport: { kind: file, path: ./data/outbox }
store: { path: ./data/tidings.db }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS,
    });
    const config = loadConfig(cfg.main);
    postfix = await startPostfix({ domain: 'desk.example', lmtp: { host: '127.0.0.1', port } });
    return {
      port,
      start: async () => {
        daemon = await startDaemon({ config, logger: pino({ level: 'silent' }), outboxIntervalMs: 100 });
        return daemon;
      },
    };
  };

  const submit = async (raw: string, to: string[] = ['support@desk.example']): Promise<void> => {
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: postfix!.smtpPort, ignoreTLS: true });
    try {
      await t.sendMail({ envelope: { from: 'ann@client.example', to }, raw: raw.replace(/\n/g, '\r\n') });
    } finally {
      t.close();
    }
  };
  const acks = (): string[] => {
    const outbox = path.join(cfg!.dir, 'data/outbox');
    return existsSync(outbox) ? readdirSync(outbox).filter((n) => n.endsWith('.eml')) : [];
  };
  const queueEmpty = async (): Promise<boolean> => (await postfix!.queue()).length === 0;

  it('mail submitted over SMTP reaches the daemon over LMTP: one ticket, one acknowledgement, Postfix logs it sent', async () => {
    const { start } = await setup();
    const d = await start();
    // to the address and its alias at once: one message, stored once
    await submit(hello(1), ['support@desk.example', 'help@desk.example']);
    const ticket = await until('the ticket', () => d.repos.tickets.findTicketByTid(1), 30_000);
    expect(ticket.subject).toBe('Cannot log in 1');
    const files = await until('the acknowledgement', () => (acks().length > 0 ? acks() : undefined));
    expect(readFileSync(path.join(cfg!.dir, 'data/outbox', files[0]!), 'utf8')).toMatch(/^Subject: \[TID#1\] Cannot log in 1/m);
    await waitUntil(queueEmpty, { timeoutMs: 30_000, what: 'the Postfix queue to be empty', describe: () => postfix!.logTail() });
    expect(postfix!.log()).toMatch(/status=sent \(250 2\.6\.0 /);
    expect(d.repos.tickets.findTicketByTid(2)).toBeUndefined();
  });

  it('keeps mail queued while the daemon is down and delivers it once when it is back; a resent copy is stored once', async () => {
    const { start } = await setup();
    await submit(hello(2));
    await until('Postfix to defer the message (nobody listens)', () => /status=deferred/.test(postfix!.log()) || undefined, 30_000);
    expect((await postfix!.queue()).length).toBe(1);
    const d = await start();
    await postfix!.flush();
    await until('the ticket after the retry', () => d.repos.tickets.findTicketByTid(1), 30_000);
    // the same mail again (a client's resend, a second MX path): a duplicate, still answered 250
    await submit(hello(2));
    await until('the second copy delivered', () => (postfix!.log().match(/status=sent/g) ?? []).length >= 2 || undefined, 30_000);
    expect(d.repos.tickets.findTicketByTid(2)).toBeUndefined();
    await until('one acknowledgement', () => (acks().length > 0 ? acks() : undefined));
    expect(acks()).toHaveLength(1);
  });
});

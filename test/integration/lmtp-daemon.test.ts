import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { lmtpConnect, lmtpDeliver, dotStuff, toCrlf } from '../support/lmtp.js';
import { freePort } from '../support/net.js';
import { until } from '../support/until.js';

const hello = (n: number): string => `From: Ann Client <ann@client.example>
To: support@desk.example
Subject: Cannot log in ${n}
Message-ID: <lmtp-hello-${n}@client.example>
Date: Mon, 23 Nov 2026 10:00:00 +0100

Hello, I cannot log in since this morning.
`;

const mainFile = (listen: string): string => `mailbox: { address: support@desk.example, name: Support }
source: { kind: lmtp, listen: "${listen}" }
transport: { kind: file, path: ./data/outbox }
store: { path: ./data/tidings.db }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`;

describe('the daemon with an LMTP source', () => {
  let cfg: ConfigDir | undefined;
  let daemon: Daemon | undefined;
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    cfg?.remove();
  });

  const acks = (): string[] => {
    const outbox = path.join(cfg!.dir, 'data/outbox');
    return existsSync(outbox) ? readdirSync(outbox).filter((n) => n.endsWith('.eml')) : [];
  };

  it('listens on host:port from the config, stores delivered mail as a ticket and acknowledges it', async () => {
    const port = await freePort();
    cfg = writeConfigDir({ 'tidings.yaml': mainFile(`127.0.0.1:${port}`), 'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS });
    daemon = await startDaemon({ config: loadConfig(cfg.main), logger: pino({ level: 'silent' }), outboxIntervalMs: 100 });
    await lmtpDeliver(hello(1), { host: '127.0.0.1', port, rcpt: 'support@desk.example', from: 'ann@client.example' });
    // the 250 came after the commit
    expect(daemon.repos.tickets.findTicketByTid(1)).toBeDefined();
    const files = await until('the acknowledgement in the outbox', () => (acks().length >= 1 ? acks() : undefined));
    expect(readFileSync(path.join(cfg.dir, 'data/outbox', files[0]!), 'utf8')).toMatch(/^Subject: \[TID#1\] Cannot log in 1/m);
    expect(daemon.source?.status().state).toBe('connected');
  });

  it('listens on a unix socket given relative to the config file, and removes it on stop', async () => {
    cfg = writeConfigDir({ 'tidings.yaml': mainFile('unix:./data/lmtp.sock'), 'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS });
    const socket = path.join(cfg.dir, 'data/lmtp.sock');
    daemon = await startDaemon({ config: loadConfig(cfg.main), logger: pino({ level: 'silent' }), outboxIntervalMs: 100 });
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o660);
    const c = await lmtpConnect({ path: socket });
    try {
      await c.replies(1);
      c.write('LHLO mta\r\nMAIL FROM:<ann@client.example>\r\nRCPT TO:<support@desk.example>\r\nDATA\r\n');
      await c.replies(4);
      c.write(dotStuff(toCrlf(hello(2))));
      expect(await c.replies(1)).toEqual([expect.stringMatching(/^250 2\.6\.0 /)]);
    } finally {
      c.close();
    }
    expect(daemon.repos.tickets.findTicketByTid(1)).toBeDefined();
    await daemon.stop();
    daemon = undefined;
    expect(existsSync(socket)).toBe(false);
  });
});

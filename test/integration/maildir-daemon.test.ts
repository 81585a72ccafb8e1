import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { until } from '../support/until.js';


function drop(inbox: string, name: string, text: string): void {
  const tmp = path.join(inbox, 'tmp', name);
  writeFileSync(tmp, text.replace(/\n/g, '\r\n'));
  renameSync(tmp, path.join(inbox, 'new', name));
}

const hello = (n: number): string => `From: Ann Client <ann@client.example>
To: support@desk.example
Subject: Cannot log in ${n}
Message-ID: <hello-${n}@client.example>
Date: Mon, 23 Nov 2026 10:00:00 +0100

Hello, I cannot log in since this morning.
`;

describe('the daemon on the embedded default shape: Maildir inbox, file outbox', () => {
  let cfg: ConfigDir | undefined;
  let daemon: Daemon | undefined;
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    cfg?.remove();
  });

  it('turns a dropped .eml into a ticket and an acknowledgement file, and moves it to cur/', async () => {
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: support@desk.example, name: Support }
source: { kind: maildir, path: ./data/inbox, poll_seconds: 0.2 }
transport: { kind: file, path: ./data/outbox }
store: { path: ./data/tidings.db }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      // Counts acknowledgements only; staff notifications are tested in staff-email.test.ts.
      'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS,
    });
    const config = loadConfig(cfg.main);
    daemon = await startDaemon({ config, logger: pino({ level: 'silent' }), outboxIntervalMs: 100 });
    const inbox = path.join(cfg.dir, 'data/inbox');
    const outbox = path.join(cfg.dir, 'data/outbox');
    drop(inbox, '1700000000.M1P1.test', hello(1));
    drop(inbox, '1700000001.M2P1.test', hello(2));
    const files = await until('two acknowledgements in the outbox', () => {
      const f = existsSync(outbox) ? readdirSync(outbox).filter((n) => n.endsWith('.eml')) : [];
      return f.length >= 2 ? f : undefined;
    });
    expect(files).toHaveLength(2);
    const ack = readFileSync(path.join(outbox, files[0]!), 'utf8');
    expect(ack).toMatch(/^Subject: \[TID#\d+\] Cannot log in \d/m);
    expect(ack).toMatch(/^Auto-Submitted: auto-replied/m);
    expect(readdirSync(path.join(inbox, 'new'))).toEqual([]);
    expect(readdirSync(path.join(inbox, 'cur')).sort()).toEqual(['1700000000.M1P1.test:2,S', '1700000001.M2P1.test:2,S']);
    await until('ack_sent_at recorded', () => daemon!.repos.tickets.findTicketByTid(1)?.ackSentAt !== null && daemon!.repos.tickets.findTicketByTid(2)?.ackSentAt !== null);

    // A restart finds nothing new and sends nothing twice.
    await daemon.stop();
    daemon = await startDaemon({ config, logger: pino({ level: 'silent' }), outboxIntervalMs: 100 });
    await new Promise((r) => setTimeout(r, 400));
    expect(readdirSync(outbox).filter((n) => n.endsWith('.eml'))).toHaveLength(2);
    expect(daemon.repos.tickets.listOpenByDue(10)).toHaveLength(2);
  });
});

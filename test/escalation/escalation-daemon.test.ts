import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { mail } from '../ingest/ingest-fixture.js';
import { STAFF_YAML } from '../ingest/staff-fixture.js';
import { ESCALATION_LEVELS } from './escalation-fixture.js';

// The escalation loop inside the daemon: catch-up on start and across restarts. The clock is
// injected; the cron tick (60 s by default) never fires within these tests.
describe('the daemon escalation loop', () => {
  let cfg: ConfigDir | undefined;
  let daemon: Daemon | undefined;
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    cfg?.remove();
  });

  it('stopped over a deadline, it sends exactly one breach notice when it starts, and none after a restart', async () => {
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: support@desk.example, name: Support }
source: { kind: stdin }
transport: { kind: file, path: ./data/outbox }
store: { path: ./data/tidings.db }
escalation: { tick_seconds: 3600 }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      'levels.yaml': ESCALATION_LEVELS,
      'staff.yaml': STAFF_YAML,
    });
    const config = loadConfig(cfg.main);
    const clock = { now: Date.parse('2026-11-27T17:00:00+01:00') };
    const start = async (): Promise<Daemon> =>
      startDaemon({ config, logger: pino({ level: 'silent' }), now: () => clock.now, outboxIntervalMs: 3_600_000 });
    const escalations = (d: Daemon): { ticket_id: number; subject: string }[] =>
      d.repos.db.prepare<[], { ticket_id: number; subject: string }>(`SELECT ticket_id, subject FROM outbox WHERE kind = 'escalation' ORDER BY id`).all();

    daemon = await start();
    const out = await daemon.ingest(Buffer.from(mail({ date: 'Fri, 27 Nov 2026 17:00:00 +0100' }).replace(/\n/g, '\r\n')), { source: 'stdin', key: '' });
    const tid = out.ticketId!;
    expect(escalations(daemon)).toEqual([]);
    await daemon.stop();

    // Down from Friday until Wednesday 16:00, past the warning (Tue 17:00) and the breach (Wed 14:00).
    clock.now = Date.parse('2026-12-02T16:00:00+01:00');
    daemon = await start();
    expect(escalations(daemon)).toEqual([{ ticket_id: tid, subject: expect.stringMatching(/^Overdue \(100%\): \[TID#\d+\]/) }]);
    expect(daemon.escalation.runOnce()).toMatchObject({ sent: 0 });
    await daemon.stop();

    daemon = await start();
    expect(escalations(daemon)).toHaveLength(1);
  });
});

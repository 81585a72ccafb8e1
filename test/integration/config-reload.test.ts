import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createConfigReloader, type ConfigReloader } from '../../src/app/config-reload.js';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { BASE_FILES, STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { until } from '../support/until.js';

const NEW_LICENCE = `  - key: BX-2001
    type: commercial
    edition: cloud
    owner: Newco
    support_until: 2027-06-30
    emails: [zoe@newco.example]
`;
// The second licence's type (line 9) is not a licence type.
const BROKEN = BASE_FILES['licences.yaml']!.replace('    type: partner', '    type: bogus') + NEW_LICENCE;

const mail = (from: string, n: number): Buffer =>
  Buffer.from(`From: ${from}\nTo: support@desk.example\nSubject: reload ${n}\nMessage-ID: <reload-${n}@x.example>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nhello ${n}\n`);

describe('config reload (SIGHUP and file change)', () => {
  let cfg: ConfigDir | undefined;
  let daemon: Daemon | undefined;
  let reloader: ConfigReloader | undefined;
  const lines: Record<string, unknown>[] = [];

  afterEach(async () => {
    reloader?.close();
    await daemon?.stop();
    cfg?.remove();
    lines.length = 0;
  });

  const start = async (): Promise<{ d: Daemon; r: ConfigReloader; level: (from: string, n: number) => Promise<string> }> => {
    cfg = writeConfigDir({ 'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS });
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const config = loadConfig(cfg.main);
    const d = await startDaemon({ config, logger, outboxIntervalMs: 100 });
    daemon = d;
    const r = createConfigReloader({ initial: config, logger, apply: (c) => d.setConfig(c), debounceMs: 50 });
    reloader = r;
    const level = async (from: string, n: number): Promise<string> => {
      const out = await d.ingest(mail(from, n), { source: 'test', key: `k${n}` });
      expect(out.status).toBe('stored');
      return (d.repos.db.prepare('SELECT level FROM tickets WHERE id = ?').get(out.ticketId) as { level: string }).level;
    };
    return { d, r, level };
  };

  it('a broken licence file keeps the old licences and logs the error with file:line; a valid one applies to the next message', async () => {
    const { d, r, level } = await start();
    expect(await level('zoe@newco.example', 1)).toBe('non-commercial');

    cfg!.write('licences.yaml', BROKEN);
    expect(r.reload('SIGHUP')).toBe(false);
    const invalid = lines.filter((l) => l.event === 'config.invalid');
    expect(invalid.length).toBeGreaterThanOrEqual(1);
    expect(invalid[0]!.msg).toMatch(/^licences\.yaml:9 licences\[1\]\.type: /);
    expect(lines.some((l) => l.event === 'config.reload_rejected')).toBe(true);
    expect(d.deps.config.licences.map((l) => l.key)).toEqual(['BX-1001', 'BX-1002', 'BX-1003']);
    expect(await level('zoe@newco.example', 2)).toBe('non-commercial');

    cfg!.write('licences.yaml', BASE_FILES['licences.yaml']! + NEW_LICENCE);
    expect(r.reload('SIGHUP')).toBe(true);
    const reloaded = lines.find((l) => l.event === 'config.reloaded')!;
    expect(reloaded.licencesAdded).toEqual(['BX-2001']);
    expect(reloaded.msg).toContain('licences added: BX-2001');
    expect(await level('zoe@newco.example', 3)).toBe('commercial');
  });

  it('reloads on file change; a removed licence stops counting for the next message', async () => {
    const { r, level } = await start();
    expect(await level('ann@client.example', 1)).toBe('commercial');
    cfg!.write('licences.yaml', BASE_FILES['licences.yaml']!.replace(/ {2}- key: BX-1001[\s\S]*?(?= {2}- key: BX-1002)/, ''));
    await until('the watcher reloaded', () => lines.some((l) => l.event === 'config.reloaded'), 10_000);
    expect(lines.find((l) => l.event === 'config.reloaded')!.licencesRemoved).toEqual(['BX-1001']);
    expect(r.current().licences.map((l) => l.key)).toEqual(['BX-1002', 'BX-1003']);
    expect(await level('ann@client.example', 2)).toBe('non-commercial');

    // An invalid save through the watcher is rejected the same way.
    cfg!.write('licences.yaml', BROKEN);
    await until('the watcher rejected it', () => lines.some((l) => l.event === 'config.reload_rejected'), 10_000);
    expect(r.current().licences.map((l) => l.key)).toEqual(['BX-1002', 'BX-1003']);
  });
});

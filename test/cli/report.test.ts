import { afterEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { buildSlaReport, median, percentile } from '../../src/core/reports/sla-report.js';
import { writeConfigDir, type ConfigDir } from '../config/config-fixture.js';

const dirs: ConfigDir[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.remove();
});

async function run(d: ConfigDir, args: string[], now: number, stdin?: string) {
  const io = memoryIo({ TIDINGS_LOG_LEVEL: 'silent' }, d.dir, now);
  if (stdin) io.stdin = Buffer.from(stdin.replace(/\n/g, '\r\n'));
  const code = await runCli(['--config', d.main, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

const msg = (from: string, subject: string, id: string, body = 'Hello, I cannot log in.'): string =>
  `From: ${from}\nTo: support@desk.example\nSubject: ${subject}\nMessage-ID: <${id}>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\n${body}\n`;

const at = (iso: string): number => Date.parse(iso);

describe('tidings report', () => {
  it('per level: tickets, share within SLA, first response median and p90 in business hours, breaches', async () => {
    const d = writeConfigDir();
    dirs.push(d);
    const mon10 = at('2026-11-23T10:00:00+01:00');
    expect((await run(d, ['ingest'], mon10, msg('Ann <ann@client.example>', 'Cannot log in', 'r1@client.example'))).out).toContain('TID#1');
    expect((await run(d, ['ingest'], mon10, msg('Ann <ann@client.example>', 'Second problem', 'r2@client.example'))).out).toContain('TID#2');
    expect((await run(d, ['ingest'], mon10, msg('Bob <bob@partner.example>', 'Question', 'r3@partner.example'))).out).toContain('TID#3');
    // TID#1 answered after 2 business hours; TID#2 on Thursday 10:00, after its Wednesday 16:00 deadline (27 business hours).
    await run(d, ['ingest'], at('2026-11-23T12:00:00+01:00'), msg('Eve <eve@desk.example>', 'Re: [TID#1] Cannot log in', 's1@desk.example', 'Clear the cache.'));
    await run(d, ['ingest'], at('2026-11-26T10:00:00+01:00'), msg('Eve <eve@desk.example>', 'Re: [TID#2] Second problem', 's2@desk.example', 'Fixed.'));

    const now = at('2026-12-10T10:00:00+01:00');
    const json = await run(d, ['report', '--from', '2026-11-23', '--to', '2026-11-23', '--json'], now);
    expect(json.err).toBe('');
    expect(json.code).toBe(0);
    const r = JSON.parse(json.out) as { levels: unknown[] };
    expect(r.levels).toEqual([
      { level: 'commercial', tickets: 2, answered: 2, withinSla: 1, shareWithinSla: 0.5, medianFirstResponseHours: 14.5, p90FirstResponseHours: 27, breaches: 1 },
      { level: 'non-commercial', tickets: 1, answered: 0, withinSla: 0, shareWithinSla: 0, medianFirstResponseHours: null, p90FirstResponseHours: null, breaches: 1 },
    ]);
    const text = await run(d, ['report', '--from', '2026-11-23', '--to', '2026-11-23'], now);
    expect(text.out).toMatch(/commercial\s+2\s+50%\s+14\.5\s+27\.0\s+1/);
    const outside = JSON.parse((await run(d, ['report', '--from', '2026-11-24', '--to', '2026-11-30', '--json'], now)).out) as { levels: { tickets: number }[] };
    expect(outside.levels.map((l) => l.tickets)).toEqual([0, 0]);
    expect((await run(d, ['report', '--from', 'yesterday', '--to', '2026-11-30'], now)).code).not.toBe(0);
  });

  it('median and nearest-rank percentile', () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([], 0.9)).toBeNull();
    expect(buildSlaReport([], 0, ['a'])).toEqual([
      { level: 'a', tickets: 0, answered: 0, withinSla: 0, shareWithinSla: null, medianFirstResponseHours: null, p90FirstResponseHours: null, breaches: 0 },
    ]);
  });
});

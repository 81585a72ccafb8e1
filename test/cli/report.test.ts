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
    const noRatings = { count: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } };
    expect(r.levels).toEqual([
      {
        level: 'commercial',
        tickets: 2,
        cycles: 2,
        answered: 2,
        withinSla: 1,
        late: 1,
        overdue: 0,
        breaches: 1,
        openWithinDeadline: 0,
        stoppedUnanswered: 0,
        shareWithinSla: 0.5,
        medianFirstResponseHours: 14.5,
        p90FirstResponseHours: 27,
        ratings: noRatings,
      },
      {
        level: 'non-commercial',
        tickets: 1,
        cycles: 1,
        answered: 0,
        withinSla: 0,
        late: 0,
        overdue: 1,
        breaches: 1,
        openWithinDeadline: 0,
        stoppedUnanswered: 0,
        shareWithinSla: 0,
        medianFirstResponseHours: null,
        p90FirstResponseHours: null,
        ratings: noRatings,
      },
    ]);
    const text = await run(d, ['report', '--from', '2026-11-23', '--to', '2026-11-23'], now);
    expect(text.out).toMatch(/commercial\s+2\s+2\s+2\s+1\s+1\s+0\s+0\s+0\s+50%\s+14\.5\s+27\.0/);
    const outside = JSON.parse((await run(d, ['report', '--from', '2026-11-24', '--to', '2026-11-30', '--json'], now)).out) as { levels: { tickets: number }[] };
    expect(outside.levels.map((l) => l.tickets)).toEqual([0, 0]);
    expect((await run(d, ['report', '--from', 'yesterday', '--to', '2026-11-30'], now)).code).not.toBe(0);
  });

  it('counts open cycles within their deadline apart from misses, reports every clock cycle, and ratings', async () => {
    const d = writeConfigDir();
    dirs.push(d);
    const ingest = async (iso: string, mail: string): Promise<string> => (await run(d, ['ingest'], at(iso), mail)).out;
    const ann = 'Ann <ann@client.example>';
    const eve = 'Eve <eve@desk.example>';
    // Monday 23 Nov 10:00 Berlin: three commercial tickets (24 business hours, due Wed 16:00) and a
    // non-commercial one (48 business hours, due Mon 30 Nov 13:00).
    expect(await ingest('2026-11-23T10:00:00+01:00', msg(ann, 'Cannot log in', 'c1@client.example'))).toContain('TID#1');
    expect(await ingest('2026-11-23T10:00:00+01:00', msg(ann, 'Second problem', 'c2@client.example'))).toContain('TID#2');
    expect(await ingest('2026-11-23T10:00:00+01:00', msg('Bob <bob@partner.example>', 'Question', 'c3@partner.example'))).toContain('TID#3');
    expect(await ingest('2026-11-23T10:00:00+01:00', msg(ann, 'Third problem', 'c4@client.example'))).toContain('TID#4');
    // TID#1, cycle 1: answered after 2 business hours. Cycle 2 starts with Ann's reply at 14:00
    // (due Thu 11:00) and is answered on Friday 10:00, 32 business hours later: late.
    await ingest('2026-11-23T12:00:00+01:00', msg(eve, 'Re: [TID#1] Cannot log in', 's1@desk.example', 'Clear the cache.'));
    await ingest('2026-11-23T14:00:00+01:00', msg(ann, 'Re: [TID#1] Cannot log in', 'c5@client.example', 'Still broken after clearing it.'));
    await ingest('2026-11-27T10:00:00+01:00', msg(eve, 'Re: [TID#1] Cannot log in', 's2@desk.example', 'Fixed now.'));
    // TID#4: put on hold before its deadline without an answer; TID#2: closed on Friday, unanswered past its deadline.
    await ingest('2026-11-23T11:00:00+01:00', msg(eve, 'Re: [TID#4] Third problem', 's3@desk.example', '#pending'));
    await ingest('2026-11-27T10:30:00+01:00', msg(eve, 'Re: [TID#1] Cannot log in', 's4@desk.example', '#close'));
    await ingest('2026-11-27T11:00:00+01:00', msg(eve, 'Re: [TID#2] Second problem', 's5@desk.example', '#close'));
    // Ratings answering the closing mails.
    await ingest('2026-11-27T11:30:00+01:00', msg(ann, 'Re: [TID#1] Cannot log in', 'c6@client.example', '5'));
    await ingest('2026-11-27T11:45:00+01:00', msg(ann, 'Re: [TID#2] Second problem', 'c7@client.example', '3'));

    // Friday noon: TID#3 is still within its deadline, which is no miss of "in SLA".
    const now = at('2026-11-27T12:00:00+01:00');
    const json = await run(d, ['report', '--from', '2026-11-23', '--to', '2026-11-23', '--json'], now);
    expect(json.err).toBe('');
    const r = JSON.parse(json.out) as { levels: unknown[] };
    expect(r.levels).toEqual([
      {
        level: 'commercial',
        tickets: 3,
        cycles: 4,
        answered: 2,
        withinSla: 1,
        late: 1,
        overdue: 1,
        breaches: 2,
        openWithinDeadline: 0,
        stoppedUnanswered: 1,
        shareWithinSla: 1 / 3,
        medianFirstResponseHours: 17,
        p90FirstResponseHours: 32,
        ratings: { count: 2, average: 4, distribution: { '1': 0, '2': 0, '3': 1, '4': 0, '5': 1 } },
      },
      {
        level: 'non-commercial',
        tickets: 1,
        cycles: 1,
        answered: 0,
        withinSla: 0,
        late: 0,
        overdue: 0,
        breaches: 0,
        openWithinDeadline: 1,
        stoppedUnanswered: 0,
        shareWithinSla: null,
        medianFirstResponseHours: null,
        p90FirstResponseHours: null,
        ratings: { count: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } },
      },
    ]);
    const text = (await run(d, ['report', '--from', '2026-11-23', '--to', '2026-11-23'], now)).out;
    expect(text).toMatch(/non-commercial\s+1\s+1\s+0\s+0\s+0\s+0\s+1\s+0\s+-\s+-\s+-/);
    expect(text).toMatch(/commercial\s+2\s+4\.0\s+0\s+0\s+1\s+0\s+1/);
  });

  it('median and nearest-rank percentile', () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([], 0.9)).toBeNull();
    expect(buildSlaReport([], 0, ['a'])).toEqual([
      {
        level: 'a',
        tickets: 0,
        cycles: 0,
        answered: 0,
        withinSla: 0,
        late: 0,
        overdue: 0,
        breaches: 0,
        openWithinDeadline: 0,
        stoppedUnanswered: 0,
        shareWithinSla: null,
        medianFirstResponseHours: null,
        p90FirstResponseHours: null,
        ratings: { count: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } },
      },
    ]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { handleGroup, runEscalationScan, type ScanResult } from '../../src/escalation/escalation-scan.js';
import { ingestMessage } from '../../src/ingest/ingest-message.js';
import { migrate } from '../../src/store/migrate.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createRepositories } from '../../src/store/repositories.js';
import type { Desk } from '../ingest/ingest-fixture.js';
import { mail } from '../ingest/ingest-fixture.js';
import { eventTypes, staffMail } from '../ingest/staff-fixture.js';
import { countsOf, notices, openEscalationDesk, scanAt, thresholds, type ScanCounts } from './escalation-fixture.js';

// 2026-11-27 is a Friday. Berlin 9-18 (CET, UTC+1). Commercial: 24 business hours.
// 75 % = 18 h: Fri 17-18 (1) + Mon (9) + Tue 9-17 (8) → Tue 1 Dec 17:00 CET.
// 100 % = 24 h: + Tue 17-18 (1) + Wed 9-14 (5) → Wed 2 Dec 14:00 CET.
const FRIDAY_17 = '2026-11-27T17:00:00+01:00';
const WARN = '2026-12-01T17:00:00+01:00';
const BREACH = '2026-12-02T14:00:00+01:00';

const FRIDAY_MAIL = { from: 'Ann Client <ann@client.example>', subject: 'Cannot log in', date: 'Fri, 27 Nov 2026 17:00:00 +0100' };

let desk: Desk | undefined;
afterEach(() => {
  desk?.close();
  desk = undefined;
});

async function fridayTicket(): Promise<{ d: Desk; tid: number }> {
  const d = openEscalationDesk(FRIDAY_17);
  desk = d;
  const out = await d.ingest(mail(FRIDAY_MAIL));
  return { d, tid: out.ticketId! };
}

function staffReply(d: Desk, tid: number, iso: string, body = 'Please clear the cache.'): ReturnType<Desk['ingest']> {
  d.clock.now = Date.parse(iso);
  return d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body }));
}

function clientReply(d: Desk, tid: number, iso: string): ReturnType<Desk['ingest']> {
  d.clock.now = Date.parse(iso);
  return d.ingest(mail({ ...FRIDAY_MAIL, subject: `Re: [TID#${tid}] Cannot log in`, body: 'Still broken.' }));
}

const none: ScanCounts = { sent: 0, superseded: 0, cancelled: 0, suppressed: 0, failed: 0 };

describe('escalation notices at business instants', () => {
  it('a ticket from Friday 17:00 gets its warning and breach at the right business instants, once each', async () => {
    const { d, tid } = await fridayTicket();
    const planned = d.repos.escalations.listByTicket(tid);
    expect(planned.map((n) => [n.cycle, n.threshold, new Date(n.dueAt).toISOString()])).toEqual([
      [1, '75%', '2026-12-01T16:00:00.000Z'],
      [1, '100%', '2026-12-02T13:00:00.000Z'],
      [1, '100%+1', expect.any(String)],
      [1, '100%+2', expect.any(String)],
    ]);
    expect(d.repos.tickets.findTicketByTid(tid)!.responseDueAt).toBe(Date.parse(BREACH));

    expect(scanAt(d, '2026-11-30T12:00:00+01:00')).toEqual(none);
    expect(scanAt(d, '2026-12-01T16:59:59.999+01:00')).toEqual(none);
    expect(scanAt(d, WARN)).toEqual({ ...none, sent: 1 });
    expect(scanAt(d, WARN)).toEqual(none);
    expect(scanAt(d, '2026-12-02T13:59:00+01:00')).toEqual(none);
    d.clock.now = Date.parse(BREACH);
    const breachScan = runEscalationScan(d.deps, d.clock.now);
    expect(countsOf(breachScan)).toEqual({ ...none, sent: 1 });
    expect(breachScan.sentByThreshold).toEqual({ '100%': 1 });
    expect(scanAt(d, '2026-12-02T14:30:00+01:00')).toEqual(none);

    const [warn, breach] = notices(d, tid);
    expect(thresholds(d, tid)).toEqual(['75%', '100%']);
    // 75 %: assignee (none yet: the staff) and staff → both agents; 100 %: + the supervisor.
    expect(warn!.recipients.sort()).toEqual(['eve@desk.example', 'kim@desk.example']);
    expect(breach!.recipients.sort()).toEqual(['eve@desk.example', 'kim@desk.example', 'sam@desk.example']);
    expect(warn!.mail.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated', 'X-Tidings-Ticket': String(tid) });
    expect(warn!.mail.subject).toContain(`[TID#${tid}]`);
    expect(warn!.mail.text).toContain('Level: Commercial (commercial)');
    expect(warn!.mail.text).toContain('Wednesday 2 December 2026, 14:00 (Europe/Berlin');
    expect(warn!.mail.text).toContain('Time left: 6h of working time');
    expect(breach!.mail.subject).toMatch(/^Overdue \(100%\)/);
    expect(breach!.mail.text).toContain('Overdue by 0m of working time');
    expect(eventTypes(d, tid).filter((t) => t === 'escalation.queued')).toHaveLength(2);
  });

  it('re-notifies after the breach every 4 business hours, at most twice', async () => {
    const { d, tid } = await fridayTicket();
    scanAt(d, WARN);
    scanAt(d, BREACH);
    const repeats = d.repos.escalations.listByTicket(tid).filter((n) => n.threshold.startsWith('100%+'));
    // Wed 14:00 + 4 business hours = Wed 18:00; + 4 more = Thu 3 Dec 13:00.
    expect(repeats.map((n) => n.dueAt - Date.parse(BREACH))).toEqual([4 * 3_600_000, (24 - 1) * 3_600_000]);
    scanAt(d, '2026-12-02T18:00:00+01:00');
    scanAt(d, '2026-12-03T13:00:00+01:00');
    scanAt(d, '2026-12-10T13:00:00+01:00');
    expect(thresholds(d, tid)).toEqual(['75%', '100%', '100%+1', '100%+2']);
    expect(notices(d, tid)[3]!.mail.text).toContain('Overdue by 8h of working time');
  });

  it('an assigned ticket warns its assignee, not every agent', async () => {
    const { d, tid } = await fridayTicket();
    d.clock.now = Date.parse('2026-11-30T10:00:00+01:00');
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#assign kim\n#note mine' }));
    scanAt(d, BREACH);
    // Both are due: only the breach goes out, to the assignee and the supervisor.
    expect(notices(d, tid).map((n) => n.recipients.sort())).toEqual([['kim@desk.example', 'sam@desk.example']]);
  });
});

describe('the clock decides', () => {
  it('a staff reply before the warning prevents both notices', async () => {
    const { d, tid } = await fridayTicket();
    await staffReply(d, tid, '2026-11-30T10:00:00+01:00');
    expect(scanAt(d, WARN)).toEqual(none);
    expect(scanAt(d, '2026-12-31T12:00:00+01:00')).toEqual(none);
    expect(notices(d)).toEqual([]);
    expect(d.repos.escalations.listByTicket(tid).every((n) => n.cancelledAt !== null && n.sentAt === null)).toBe(true);
  });

  it('an internal note does not stop the clock', async () => {
    const { d, tid } = await fridayTicket();
    d.clock.now = Date.parse('2026-11-30T10:00:00+01:00');
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#note looking into it' }));
    expect(scanAt(d, WARN).sent).toBe(1);
  });

  it('a client reply after the staff reply starts a new cycle with its own notices', async () => {
    const { d, tid } = await fridayTicket();
    scanAt(d, WARN); // cycle 1 warning sent
    await staffReply(d, tid, '2026-12-01T17:30:00+01:00');
    // Thursday 3 Dec 10:00: 75 % of 24 h = Thu 10-18 (8) + Fri (9) + Mon 9-10 (1) → Mon 7 Dec 10:00; 100 % → Mon 16:00.
    await clientReply(d, tid, '2026-12-03T10:00:00+01:00');
    const t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t.cycle).toBe(2);
    const c2 = d.repos.escalations.listByTicket(tid).filter((n) => n.cycle === 2);
    expect(c2.map((n) => [n.threshold, new Date(n.dueAt).toISOString()]).slice(0, 2)).toEqual([
      ['75%', '2026-12-07T09:00:00.000Z'],
      ['100%', '2026-12-07T15:00:00.000Z'],
    ]);
    // Cycle 1's breach never comes: its clock stopped.
    expect(scanAt(d, BREACH)).toEqual(none);
    expect(scanAt(d, '2026-12-07T10:00:00+01:00')).toEqual({ ...none, sent: 1 });
    expect(scanAt(d, '2026-12-07T16:00:00+01:00')).toEqual({ ...none, sent: 1 });
    expect(d.repos.events.listByTicket(tid).filter((e) => e.type === 'escalation.queued').map((e) => [e.data.cycle, e.data.threshold])).toEqual([
      [1, '75%'],
      [2, '75%'],
      [2, '100%'],
    ]);
  });

  it('#level recomputes the notices from the moment of the change; #close cancels them', async () => {
    const { d, tid } = await fridayTicket();
    d.clock.now = Date.parse('2026-11-30T10:00:00+01:00');
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#level non-commercial' }));
    // Non-commercial: 48 business hours from Mon 10:00, with a breach notice only.
    const pending = d.repos.escalations.listByTicket(tid).filter((n) => n.cancelledAt === null);
    expect(pending.map((n) => [n.threshold, new Date(n.dueAt).toISOString()])).toEqual([['100%', new Date(d.repos.tickets.findTicketByTid(tid)!.responseDueAt!).toISOString()]]);
    expect(scanAt(d, BREACH)).toEqual(none);
    d.clock.now = Date.parse('2026-12-03T10:00:00+01:00');
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close' }));
    expect(scanAt(d, '2026-12-31T10:00:00+01:00')).toEqual(none);
    expect(notices(d)).toEqual([]);
  });
});

describe('exactly once', () => {
  it('after downtime over the deadline, the first scan sends exactly one breach notice', async () => {
    const { d, tid } = await fridayTicket();
    // Nothing ran between Friday and Wednesday 16:00 (after the breach, before the first repeat).
    expect(scanAt(d, '2026-12-02T16:00:00+01:00')).toEqual({ ...none, sent: 1, superseded: 1 });
    expect(thresholds(d, tid)).toEqual(['100%']);
    expect(scanAt(d, '2026-12-02T16:00:00+01:00')).toEqual(none);
    expect(d.repos.escalations.get({ ticketId: tid, cycle: 1, threshold: '75%' })!.cancelledAt).not.toBeNull();
  });

  it('two scans at once, over two connections to one database, never send a notice twice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-esc-'));
    const file = path.join(dir, 'tidings.db');
    const d = openEscalationDesk(FRIDAY_17);
    desk = d;
    const dbA = openDatabase(file);
    migrate(dbA);
    const dbB = openDatabase(file);
    try {
      const a = { ...d.deps, repos: createRepositories(dbA) };
      const b = { ...d.deps, repos: createRepositories(dbB) };
      for (let i = 0; i < 20; i++) {
        await ingestMessage(a, Buffer.from(mail({ ...FRIDAY_MAIL, subject: `Problem ${i}` }).replace(/\r?\n/g, '\r\n')), { source: 'test', key: `race${i}` });
      }
      const now = Date.parse('2026-12-02T16:00:00+01:00');
      // Both read the same due list before either sends: the race the claim must win once.
      const dueA = a.repos.escalations.due(now, 1000);
      const dueB = b.repos.escalations.due(now, 1000);
      expect(dueA.length).toBe(40);
      expect(dueB).toEqual(dueA);
      const ra: ScanResult = { ...none, sentByThreshold: {} };
      const rb: ScanResult = { ...none, sentByThreshold: {} };
      for (let i = 0; i < dueA.length; i++) {
        const x = dueA[i]!;
        const y = dueB[dueB.length - 1 - i]!;
        a.repos.transaction(() => handleGroup(a, x.ticketId, x.cycle, now, ra));
        b.repos.transaction(() => handleGroup(b, y.ticketId, y.cycle, now, rb));
      }
      // And whole scans racing afterwards find nothing left.
      expect(countsOf(runEscalationScan(a, now))).toEqual(none);
      expect(countsOf(runEscalationScan(b, now))).toEqual(none);
      expect(ra.sent + rb.sent).toBe(20);
      const rows = dbA.prepare<[], { ticket_id: number; n: number }>(`SELECT ticket_id, count(*) AS n FROM outbox WHERE kind = 'escalation' GROUP BY ticket_id`).all();
      expect(rows).toHaveLength(20);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      dbA.close();
      dbB.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { BASE_FILES } from '../config/config-fixture.js';
import { closedAfterEach, mail } from './ingest-fixture.js';
import { openStaffDesk, outbox } from './staff-fixture.js';

// Seed 4.12: a request counts as accepted only once the client has the acknowledgement with its
// TID. The cap on acknowledgements must stop loops, never a person's distinct requests.

const desk = closedAfterEach(openStaffDesk);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const held = (d: ReturnType<typeof desk>, tid: number) => d.repos.events.listByTicket(tid).filter((e) => e.type === 'ack.suppressed').map((e) => e.data.reason);
const notificationOf = (d: ReturnType<typeof desk>, tid: number) => outbox(d, 'notification').find((r) => r.ticketId === tid)!;

describe('acknowledgements for distinct requests are never capped away', () => {
  it('six requests from one person within an hour each get an acknowledgement', async () => {
    const d = desk();
    const tids: number[] = [];
    for (let i = 1; i <= 6; i++) {
      tids.push((await d.ingest(mail({ subject: `Problem ${i}` }))).ticketId!);
      d.clock.now += 5 * MINUTE;
    }
    expect(d.acks().map((a) => a.ticketId)).toEqual(tids);
    for (const tid of tids) expect(held(d, tid)).toEqual([]);
  });

  it('twenty requests under one subject with different texts within an hour each get an acknowledgement', async () => {
    const d = desk();
    for (let i = 1; i <= 20; i++) {
      await d.ingest(mail({ subject: 'Question', body: `Question number ${i}: how do I configure module ${i}?` }));
      d.clock.now += 2 * MINUTE;
    }
    expect(d.acks()).toHaveLength(20);
    expect(new Set(d.acks().map((a) => a.ticketId)).size).toBe(20);
  });

  it('a backlog read at once after downtime is judged by when the mail arrived: sixty requests sent over ten hours are all acknowledged', async () => {
    const d = desk();
    const start = d.clock.now;
    d.clock.now += 10 * HOUR;
    for (let i = 0; i < 60; i++) await d.ingest(mail({ subject: `Order ${i} is stuck`, body: `Order ${i} has not shipped.` }), { receivedAt: start + i * 10 * MINUTE });
    expect(d.acks()).toHaveLength(60);
  });
});

describe('loops are held', () => {
  it('a script resending the same request is acknowledged once an hour; staff see each held acknowledgement', async () => {
    const d = desk();
    const spec = { from: 'cron@client.example', subject: 'Nightly export failed', body: 'Export job failed with code 3.\nPlease check.' };
    const first = await d.ingest(mail(spec));
    d.clock.now += 10 * MINUTE;
    // Trace differences a resend makes (a reply marker, other white space, a quoted tag) do not make it a new request.
    const second = await d.ingest(mail({ ...spec, subject: `RE: ${spec.subject}`, body: 'Export job failed with code 3.\r\n\r\nPlease   check.' }));
    d.clock.now += 10 * MINUTE;
    const third = await d.ingest(mail(spec));
    expect(d.acks().map((a) => a.ticketId)).toEqual([first.ticketId]);
    expect(held(d, second.ticketId!)).toEqual(['repeat']);
    expect(held(d, third.ticketId!)).toEqual(['repeat']);

    const text = notificationOf(d, second.ticketId!).mail.text;
    expect(text).toContain('!! Acknowledgement held back, the client has no ticket number for this message');
    expect(text).toMatch(/same request .* within the hour/);
    expect(notificationOf(d, first.ticketId!).mail.text).not.toContain('held back');

    // An hour after the last acknowledgement the same request is answered again.
    d.clock.now = d.acks()[0]!.mail.date! + HOUR + 1;
    await d.ingest(mail(spec));
    expect(d.acks()).toHaveLength(2);
  });

  it('a vacation responder with no Auto-Submitted, answering every acknowledgement with a new thread, gets one acknowledgement', async () => {
    const d = desk();
    await d.ingest(mail({ subject: 'Cannot log in' }));
    let answered = 0;
    for (let round = 0; round < 30; round++) {
      const fresh = d.acks().slice(answered);
      answered += fresh.length;
      for (const _ of fresh) await d.ingest(mail({ subject: 'Away until Monday', body: 'I am out of the office until Monday and will read your mail then.' }));
      d.clock.now += 20_000;
    }
    // The client's request and the responder's first answer.
    expect(d.acks()).toHaveLength(2);
    const last = d.repos.tickets.listOpenByDue(100).map((t) => t.tid).sort((a, b) => a - b).at(-1)!;
    expect(held(d, last)).toEqual(['repeat']);
  });

  it('a flood of distinct mails from one sender stops at limits.acks_per_sender_per_hour', async () => {
    const d = desk({ 'tidings.yaml': `${BASE_FILES['tidings.yaml']}limits: { acks_per_sender_per_hour: 8 }\n` });
    const tids: number[] = [];
    for (let i = 1; i <= 12; i++) {
      tids.push((await d.ingest(mail({ subject: `Alert ${i}`, body: `Disk ${i} is full.` }))).ticketId!);
      d.clock.now += MINUTE;
    }
    expect(d.acks()).toHaveLength(8);
    expect(held(d, tids[8]!)).toEqual(['flood']);
    expect(notificationOf(d, tids[8]!).mail.text).toContain('already got 8 acknowledgements within the hour');
    d.clock.now += HOUR;
    await d.ingest(mail({ subject: 'Alert 13', body: 'Disk 13 is full.' }));
    expect(d.acks()).toHaveLength(9);
  });
});

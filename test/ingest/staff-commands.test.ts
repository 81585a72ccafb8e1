import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import type { Desk } from './ingest-fixture.js';
import { mail } from './ingest-fixture.js';
import { clientTicket, eventTypes, openStaffDesk, outbox, staffMail } from './staff-fixture.js';

const desks: Desk[] = [];
afterEach(() => {
  while (desks.length) desks.pop()!.close();
});
function desk(): Desk {
  const d = openStaffDesk();
  desks.push(d);
  return d;
}

const MIN = 60_000;
const on = (tid: number, body: string) => staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body });
const commandEvents = (d: Desk, tid: number) => d.repos.events.listByTicket(tid).filter((e) => e.type.startsWith('command.'));

describe('staff commands', () => {
  it('#note: the whole message is an internal note, nothing is relayed, the clock keeps running', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    const before = d.repos.tickets.findTicketByTid(tid)!;
    const out = await d.ingest(on(tid, '#note\nCalled Ann, she will send logs tomorrow.'));
    expect(outbox(d, 'relay')).toHaveLength(0);
    expect(d.repos.messages.getMessage(out.messageRowId!)).toMatchObject({ ticketId: tid, kind: 'note', visibility: 'internal' });
    const t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t).toMatchObject({ status: before.status, responseDueAt: before.responseDueAt, firstResponseAt: null });
    expect(commandEvents(d, tid).map((e) => [e.type, e.actor])).toEqual([['command.note', 'eve@desk.example']]);
  });

  it('#close alone closes without relaying; with text it relays, then closes', async () => {
    const d = desk();
    const a = await clientTicket(d, { from: 'ann@client.example' });
    await d.ingest(on(a.tid, '#close'));
    expect(d.repos.tickets.findTicketByTid(a.tid)).toMatchObject({ status: 'closed', responseDueAt: null });
    expect(outbox(d, 'relay')).toHaveLength(0);
    expect(commandEvents(d, a.tid).map((e) => e.data.previousStatus)).toEqual(['new']);

    const b = await clientTicket(d, { from: 'carol@gamma.example' });
    await d.ingest(on(b.tid, '#close\n\nFixed in 2.4, closing the ticket.'));
    expect(d.repos.tickets.findTicketByTid(b.tid)).toMatchObject({ status: 'closed', firstResponseAt: d.clock.now });
    expect(outbox(d, 'relay').map((r) => r.mail.text)).toEqual(['Fixed in 2.4, closing the ticket.\n\n-- \nSupport\n']);
    // Closing sends the closing mail (rating request) after the command (issue 6).
    expect(eventTypes(d, b.tid).slice(-3)).toEqual(['staff.replied', 'command.close', 'closing.queued']);
  });

  it('#level development moves the deadline: the new term counted from now', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    expect(d.repos.tickets.findTicketByTid(tid)!.level).toBe('commercial');
    d.clock.now += 90 * MIN;
    await d.ingest(on(tid, '#level development'));
    const t = d.repos.tickets.findTicketByTid(tid)!;
    const expected = DateTime.fromMillis(d.clock.now, { zone: 'Europe/Berlin' }).plus({ days: 14 }).toMillis();
    expect(t).toMatchObject({ level: 'development', levelReason: 'staff-command', clockStartedAt: d.clock.now, responseDueAt: expected, status: 'new' });
    expect(outbox(d, 'relay')).toHaveLength(0);
    const [e] = commandEvents(d, tid);
    expect(e).toMatchObject({ type: 'command.level', data: { from: 'commercial', to: 'development', responseDueAt: expected } });
  });

  it('#level naming the current level changes nothing', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    const before = d.repos.tickets.findTicketByTid(tid)!;
    d.clock.now += 90 * MIN;
    await d.ingest(on(tid, '#level commercial'));
    expect(d.repos.tickets.findTicketByTid(tid)).toMatchObject({ level: 'commercial', responseDueAt: before.responseDueAt, clockStartedAt: before.clockStartedAt });
    expect(commandEvents(d, tid)[0]).toMatchObject({ type: 'command.level', data: { unchanged: true } });
  });

  it('#level with an answer relays it: the level changes and the clock stops', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    await d.ingest(on(tid, '#level non-commercial\nYour licence has expired, so this is handled as non-commercial.'));
    expect(d.repos.tickets.findTicketByTid(tid)).toMatchObject({ level: 'non-commercial', responseDueAt: null, status: 'awaiting-client' });
    expect(outbox(d, 'relay')).toHaveLength(1);
  });

  it('#assign moves the ticket to a staff member, who alone hears about it from then on', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    await d.ingest(on(tid, '#assign kim'));
    expect(d.repos.tickets.findTicketByTid(tid)!.assignee).toBe('kim');
    expect(commandEvents(d, tid)[0]).toMatchObject({ type: 'command.assign', data: { from: null, to: 'kim' } });
    await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Hello?' }));
    expect(outbox(d, 'notification').at(-1)!.recipients).toEqual(['kim@desk.example']);
  });

  it('#pending stops the clock without an answer, and reopens a closed ticket', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    await d.ingest(on(tid, '#pending'));
    expect(d.repos.tickets.findTicketByTid(tid)).toMatchObject({ status: 'awaiting-client', responseDueAt: null, firstResponseAt: null });
    d.repos.tickets.setStatus(tid, 'closed', d.clock.now);
    await d.ingest(on(tid, '#pending'));
    expect(d.repos.tickets.findTicketByTid(tid)).toMatchObject({ status: 'awaiting-client', closedAt: null });
    expect(outbox(d, 'relay')).toHaveLength(0);
  });

  it('several commands on the first lines: each applied, each an event, in order', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    await d.ingest(on(tid, '#assign sam\n#level development\n\nWe will build this; it is planned for the next release.'));
    const t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t).toMatchObject({ assignee: 'sam', level: 'development', status: 'awaiting-client', responseDueAt: null });
    expect(commandEvents(d, tid).map((e) => e.type)).toEqual(['command.assign', 'command.level']);
    expect(outbox(d, 'relay')[0]!.mail.text).toBe('We will build this; it is planned for the next release.\n\n-- \nSupport\n');
  });

  it.each<[string, string, string]>([
    ['an unknown command', '#clsoe\nAll done, closing.', 'E_COMMAND_UNKNOWN'],
    ['an unknown level', '#level platinum\nMoved to platinum.', 'E_LEVEL_UNKNOWN'],
    ['an unknown staff member', '#assign bob', 'E_STAFF_UNKNOWN'],
    ['a command used wrongly', '#close now please\nBye.', 'E_COMMAND_INVALID'],
  ])('%s: answered to the sender with the error, nothing relayed, nothing changed', async (_, body, code) => {
    const d = desk();
    const { tid } = await clientTicket(d);
    const before = d.repos.tickets.findTicketByTid(tid)!;
    // A valid command first: it must not be applied either.
    const out = await d.ingest(on(tid, `#pending\n${body}`));
    expect(outbox(d, 'relay')).toHaveLength(0);
    expect(d.repos.tickets.findTicketByTid(tid)).toEqual(before);
    expect(d.repos.messages.getMessage(out.messageRowId!)).toMatchObject({ ticketId: tid, visibility: 'internal' });
    const [err] = outbox(d, 'command-error');
    expect(err!.recipients).toEqual(['eve@desk.example']);
    expect(err!.mail.to).toEqual(['eve@desk.example']);
    expect(err!.mail.subject).toBe(`[TID#${tid}] Not carried out: Cannot log in`);
    expect(err!.mail.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' });
    expect(err!.mail.text).toContain('nothing was sent to the client');
    expect(err!.mail.text).toContain(body.split('\n')[0]!);
    expect(err!.mail.text).toContain('Levels: commercial, non-commercial, development');
    const rejected = commandEvents(d, tid);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ type: 'command.rejected', actor: 'eve@desk.example', data: { code } });
    // The event names the command, never the line the staff member wrote.
    expect(JSON.stringify(rejected[0]!.data)).not.toContain('platinum');
  });

  it('a corrected message after an error is carried out', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    await d.ingest(on(tid, '#clsoe'));
    const err = outbox(d, 'command-error')[0]!;
    // The staff member answers the error mail: it threads to the ticket by its signed Message-ID.
    await d.ingest(staffMail({ subject: `Re: ${err.mail.subject}`, inReplyTo: err.messageId, body: '#close' }));
    expect(d.repos.tickets.findTicketByTid(tid)!.status).toBe('closed');
  });

  it('error mails to one staff address are capped per hour (limits.command_errors_per_staff_per_hour, default 10)', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    for (let i = 0; i < 12; i++) await d.ingest(on(tid, `#bogus${i}`));
    expect(outbox(d, 'command-error')).toHaveLength(10);
    expect(d.repos.events.listByTicket(tid).filter((e) => e.type === 'command_error.suppressed')).toHaveLength(2);
  });
});

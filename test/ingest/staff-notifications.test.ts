import { describe, expect, it } from 'vitest';
import { verifyMessageId } from '../../src/core/mail/message-id.js';
import { closedAfterEach, HMAC_KEY, mail } from './ingest-fixture.js';
import { STAFF_YAML, clientTicket, eventTypes, openStaffDesk, outbox, withAttachment } from './staff-fixture.js';

const desk = closedAfterEach(openStaffDesk);

const HOUR = 3_600_000;

describe('staff notifications', () => {
  it('a new ticket notifies every agent: TID subject, visible text, level, deadline, attachments, Reply-To support@', async () => {
    const d = desk();
    const raw = withAttachment(
      mail({ cc: 'Cid <cid@client.example>', body: 'The login page says 500.\n\nOn Fri, Bob wrote:\n> an older quoted mail\n> more' }),
      { name: 'screen.png', type: 'image/png', content: Buffer.alloc(3000, 1) },
    );
    const out = await d.ingest(raw);
    const tid = out.ticketId!;
    const [n] = outbox(d, 'notification');
    expect(n).toBeDefined();
    expect(n!.ticketId).toBe(tid);
    expect(n!.recipients).toEqual(['eve@desk.example', 'kim@desk.example']); // agents, not the supervisor
    const m = n!.mail;
    expect(m.subject).toBe(`[TID#${tid}] Cannot log in`);
    expect(m.from).toEqual({ address: 'support@desk.example', name: 'Support' });
    expect(m.replyTo).toBe('support@desk.example');
    expect(m.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' });
    expect(verifyMessageId(n!.messageId, HMAC_KEY)).toEqual({ tid, kind: 'notify' });
    expect(m.text).toMatch(/^##- Please type your reply above this line -##/);
    expect(m.text).toContain(`New ticket [TID#${tid}] from Ann Client <ann@client.example>`);
    expect(m.text).toContain('The login page says 500.');
    expect(m.text).not.toContain('an older quoted mail');
    expect(m.text).toContain('Level: Commercial (commercial)');
    expect(m.text).toContain('Respond by: Wednesday 25 November 2026, 16:00 (Europe/Berlin, UTC+01:00)');
    expect(m.text).toContain('Licence: BX-1001, ACME Ltd');
    expect(m.text).toContain('Cc: cid@client.example');
    expect(m.text).toContain('Attachments: 1\n  - screen.png (image/png, 3 KB)');
    expect(eventTypes(d, tid)).toEqual(['ticket.created', 'ack.queued', 'notify.queued']);
  });

  it('each further client message notifies too; an automated one does not', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Any news?' }));
    await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, headers: { 'Auto-Submitted': 'auto-replied' } }));
    const ns = outbox(d, 'notification');
    expect(ns).toHaveLength(2);
    expect(ns[1]!.mail.text).toContain(`New message on [TID#${tid}] from Ann Client`);
    expect(ns[1]!.mail.text).toContain('Any news?');
  });

  it('go to the group address when one is configured, and to the assignee alone once assigned', async () => {
    const d = desk({ 'staff.yaml': `${STAFF_YAML}  group: team@desk.example\n` });
    const { tid } = await clientTicket(d);
    expect(outbox(d, 'notification')[0]!.recipients).toEqual(['team@desk.example']);
    d.repos.tickets.setAssignee(tid, 'kim', d.clock.now);
    await d.ingest(mail({ subject: `[TID#${tid}] more`, cc: 'team@desk.example' }));
    expect(outbox(d, 'notification')[1]!.recipients).toEqual(['kim@desk.example']);
    // The group address a client copied is not a participant: answers never reach staff as a client.
    expect(d.repos.participants.listParticipants(tid).map((p) => p.address)).toEqual(['ann@client.example']);
  });

  it('can be turned off per kind', async () => {
    const d = desk({ 'staff.yaml': `${STAFF_YAML}  notify: { new_ticket: false }\n` });
    const { tid } = await clientTicket(d);
    expect(outbox(d, 'notification')).toHaveLength(0);
    await d.ingest(mail({ subject: `[TID#${tid}] more` }));
    expect(outbox(d, 'notification')).toHaveLength(1);
  });

  it('are capped per ticket and hour, with an event for each one held back', async () => {
    const d = desk({ 'staff.yaml': `${STAFF_YAML}  notify: { per_ticket_per_hour: 3 }\n` });
    const { tid } = await clientTicket(d);
    for (let i = 0; i < 4; i++) await d.ingest(mail({ subject: `[TID#${tid}] more ${i}` }));
    expect(outbox(d, 'notification')).toHaveLength(3);
    expect(d.repos.events.listByTicket(tid).filter((e) => e.type === 'notify.suppressed').map((e) => e.data.reason)).toEqual(['rate-limit', 'rate-limit']);
    d.clock.now += HOUR + 1;
    await d.ingest(mail({ subject: `[TID#${tid}] next hour` }));
    expect(outbox(d, 'notification')).toHaveLength(4);
  });

  it('are written in the desk language', async () => {
    const d = desk({ 'tidings.yaml': `${'mailbox: { address: support@desk.example, name: Support }\nsource: { kind: maildir, path: ./data/inbox }\ntransport: { kind: file, path: ./data/outbox }\nstore: { path: ./data/tidings.db }\ninclude: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]\n'}language: ru\n` });
    await clientTicket(d);
    const text = outbox(d, 'notification')[0]!.mail.text;
    expect(text).toMatch(/^##- Пишите ответ выше этой строки -##/);
    expect(text).toContain('Новое обращение');
    expect(text).toContain('Ответить до: среда 25 ноября 2026');
  });
});

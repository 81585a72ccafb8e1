import { describe, expect, it } from 'vitest';
import { verifyMessageId } from '../../src/core/mail/message-id.js';
import { BASE_FILES } from '../config/config-fixture.js';
import { closedAfterEach, HMAC_KEY, mail, openDesk } from './ingest-fixture.js';

const desk = closedAfterEach(openDesk);

const HOUR = 3_600_000;

describe('a new client message', () => {
  it('becomes a ticket with level, deadline, participants, events and one acknowledgement', async () => {
    const d = desk();
    const out = await d.ingest(mail({ cc: 'Cid <cid@client.example>, support@desk.example, eve@desk.example' }));
    expect(out.status).toBe('stored');
    const t = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(t).toMatchObject({ status: 'new', requester: 'ann@client.example', requesterName: 'Ann Client', licenceKey: 'BX-1001', level: 'commercial', cycle: 1 });
    // Mon 10:00 Berlin + 24h business (9-18): Mon 8h, Tue 9h, Wed 7h → Wed 16:00 CET
    expect(new Date(t.responseDueAt!).toISOString()).toBe('2026-11-25T15:00:00.000Z');
    // our own and staff addresses never become participants
    expect(d.repos.participants.listParticipants(t.tid).map((p) => `${p.address}:${p.role}`).sort()).toEqual(['ann@client.example:requester', 'cid@client.example:cc']);
    expect(d.repos.events.listByTicket(t.tid).map((e) => e.type)).toEqual(['ticket.created', 'ack.queued', 'notify.queued']);

    const acks = d.acks();
    expect(acks).toHaveLength(1);
    const ack = acks[0]!;
    expect(ack.recipients).toEqual(['ann@client.example']);
    expect(ack.mail.subject).toBe(`[TID#${t.tid}] Cannot log in`);
    expect(ack.mail.headers?.['Auto-Submitted']).toBe('auto-replied');
    expect(ack.mail.text).toContain(`[TID#${t.tid}]`);
    expect(ack.mail.text).toContain('Wednesday 25 November 2026, 16:00');
    expect(ack.mail.text).toContain('Mon-Fri 09:00-18:00 (Europe/Berlin)');
    expect(verifyMessageId(ack.messageId, HMAC_KEY)).toEqual({ tid: t.tid, kind: 'ack' });
    expect(ack.mail.inReplyTo).toMatch(/@client\.example$/);
  });

  it('gives an unknown sender the non-commercial level and tells why', async () => {
    const d = desk();
    const out = await d.ingest(mail({ from: 'stranger@nowhere.example' }));
    const t = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(t.level).toBe('non-commercial');
    expect(t.levelReason).toBe('no-licence');
    expect(d.acks()[0]!.mail.text).toMatch(/not registered|no licence|licence/i);
  });

  it('starts the clock when the source received the message, not when it was read', async () => {
    const d = desk();
    const received = Date.parse('2026-11-20T17:00:00+01:00'); // Fri 17:00, read on Monday after downtime
    const out = await d.ingest(mail(), { receivedAt: received });
    const t = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(t.clockStartedAt).toBe(received);
    // Fri 1h, Mon 9h, Tue 9h, Wed 5h → Wed 14:00 CET
    expect(new Date(t.responseDueAt!).toISOString()).toBe('2026-11-25T13:00:00.000Z');
  });
});

describe('deduplication', () => {
  it('stores a message once whether it comes again at the same position or with the same Message-ID', async () => {
    const d = desk();
    const raw = mail({ messageId: 'dup-1@client.example' });
    const first = await d.ingest(raw, { key: 'uid:1' });
    expect((await d.ingest(raw, { key: 'uid:1' })).status).toBe('duplicate');
    expect((await d.ingest(raw, { key: 'uid:99' })).status).toBe('duplicate');
    expect(first.status).toBe('stored');
    expect(d.acks()).toHaveLength(1);
    expect(d.repos.tickets.listOpenByDue(10)).toHaveLength(1);
    // the same mail delivered again through another hop: new trace headers, same Message-ID and body
    expect((await d.ingest(`Received: from relay2.example\n${raw}`, { key: 'uid:100' })).status).toBe('duplicate');
  });

  it('keeps two different mails that share a Message-ID', async () => {
    const d = desk();
    expect((await d.ingest(mail({ messageId: 'same@client.example', body: 'first' }))).status).toBe('stored');
    expect((await d.ingest(mail({ messageId: 'same@client.example', body: 'second' }))).status).toBe('stored');
  });

  it('identifies mail without a Message-ID by its bytes', async () => {
    const d = desk();
    const raw = mail().replace(/^Message-ID:.*\n/m, '');
    expect((await d.ingest(raw)).status).toBe('stored');
    expect((await d.ingest(raw)).status).toBe('duplicate');
  });
});

describe('threading', () => {
  it('a reply with the TID joins its ticket; one that lost the tag joins by In-Reply-To', async () => {
    const d = desk();
    const first = await d.ingest(mail());
    const tid = first.ticketId!;
    const ackId = d.acks()[0]!.messageId;
    const r1 = await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'More details.' }));
    expect(r1.ticketId).toBe(tid);
    const r2 = await d.ingest(mail({ subject: 'Re: Cannot log in', inReplyTo: ackId, body: 'Still broken.' }));
    expect(r2.ticketId).toBe(tid);
    expect(d.repos.messages.listByTicket(tid)).toHaveLength(3);
    expect(d.acks()).toHaveLength(1); // follow-ups are not acknowledged again
  });

  it('a stranger quoting someone else\'s TID gets a new ticket linked to it', async () => {
    const d = desk();
    const tid = (await d.ingest(mail())).ticketId!;
    const out = await d.ingest(mail({ from: 'mallory@evil.example', subject: `Re: [TID#${tid}] Cannot log in` }));
    expect(out.ticketId).not.toBe(tid);
    const t = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(t.linkedTicketId).toBe(tid);
    expect(d.repos.messages.listByTicket(tid)).toHaveLength(1);
  });

  it('an address of the same licence may write into the ticket', async () => {
    const d = desk();
    const tid = (await d.ingest(mail({ from: 'carol@gamma.example' }))).ticketId!;
    expect((await d.ingest(mail({ from: 'dave@gamma.example', subject: `[TID#${tid}] more` }))).ticketId).toBe(tid);
  });

  it('a reply to a closed ticket reopens it within reopen_days, later opens a new linked ticket', async () => {
    const d = desk();
    const tid = (await d.ingest(mail())).ticketId!;
    d.repos.tickets.setStatus(tid, 'closed', d.clock.now);
    d.clock.now += 3 * 24 * HOUR;
    const again = await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in` }));
    expect(again.ticketId).toBe(tid);
    const t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t.status).toBe('awaiting-staff');
    expect(t.cycle).toBe(2);
    expect(t.clockStartedAt).toBe(d.clock.now);
    d.repos.tickets.setStatus(tid, 'closed', d.clock.now);
    d.clock.now += 15 * 24 * HOUR; // default reopen_days is 14
    const late = await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in` }));
    expect(late.ticketId).not.toBe(tid);
    expect(d.repos.tickets.findTicketByTid(late.ticketId!)!.linkedTicketId).toBe(tid);
  });

  it('a client message after a staff answer starts a new clock cycle; one before it does not', async () => {
    const d = desk();
    const tid = (await d.ingest(mail())).ticketId!;
    const due1 = d.repos.tickets.findTicketByTid(tid)!.responseDueAt;
    d.clock.now += HOUR;
    await d.ingest(mail({ subject: `[TID#${tid}] x` }));
    expect(d.repos.tickets.findTicketByTid(tid)!.responseDueAt).toBe(due1);
    d.repos.tickets.setStatus(tid, 'awaiting-client', d.clock.now);
    d.clock.now += HOUR;
    await d.ingest(mail({ subject: `[TID#${tid}] y` }));
    const t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t.cycle).toBe(2);
    expect(t.status).toBe('awaiting-staff');
    expect(t.responseDueAt).toBeGreaterThan(due1!);
  });
});

describe('automatic mail, bounces, spam and loops', () => {
  it('never acknowledges automated mail; a vacation reply is kept on the ticket', async () => {
    const d = desk();
    const tid = (await d.ingest(mail())).ticketId!;
    const ackId = d.acks()[0]!.messageId;
    const out = await d.ingest(mail({ subject: `Out of office: [TID#${tid}] Cannot log in`, inReplyTo: ackId, headers: { 'Auto-Submitted': 'auto-replied' } }));
    expect(out.ticketId).toBe(tid);
    expect(d.acks()).toHaveLength(1);
    for (const headers of [{ Precedence: 'bulk' }, { 'List-Id': '<news.example>' }, { 'X-Autoreply': 'yes' }] as Record<string, string>[]) {
      const o = await d.ingest(mail({ from: 'robot@client.example', headers }));
      expect(o.ticketId).toBeUndefined();
    }
    expect(d.acks()).toHaveLength(1);
    expect(d.repos.tickets.listOpenByDue(10)).toHaveLength(1);
  });

  it('records a bounce on the ticket it returns and stops mailing the failed address', async () => {
    const d = desk();
    const tid = (await d.ingest(mail({ from: 'gone@client.example' }))).ticketId!;
    const ackId = d.acks()[0]!.messageId;
    const bounce = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.desk.example>',
      'To: support@desk.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-1@mx.desk.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.desk.example',
      '',
      'Final-Recipient: rfc822; gone@client.example',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${ackId}>`,
      'Subject: whatever',
      '',
      '--B--',
      '',
    ].join('\n');
    const out = await d.ingest(bounce);
    expect(out.ticketId).toBe(tid);
    expect(d.repos.undeliverable.isUndeliverable('gone@client.example')).toBe(true);
    expect(d.repos.events.listByTicket(tid).map((e) => e.type)).toContain('bounce.received');
    const again = await d.ingest(mail({ from: 'gone@client.example', subject: 'another' }));
    expect(again.status).toBe('stored');
    expect(d.acks()).toHaveLength(1);
    expect(d.repos.events.listByTicket(again.ticketId!).map((e) => e.type)).toContain('ack.suppressed');
  });

  it('quarantines spam, and reprocessing releases it as a ticket', async () => {
    const d = desk();
    const out = await d.ingest(mail({ headers: { 'X-Spam-Flag': 'YES' } }));
    expect(out.status).toBe('quarantined');
    expect(d.acks()).toHaveLength(0);
    const q = d.repos.quarantine.get(out.quarantineId!)!;
    expect(q.reasonCode).toBe('spam');
    const again = await d.ingest(q.raw!, { source: 'reprocess', key: `quarantine:${q.id}` }, { reprocessOf: q.id });
    expect(again.status).toBe('stored');
    expect(d.repos.quarantine.get(q.id)!.status).toBe('reprocessed');
    expect(d.acks()).toHaveLength(1);
  });

  it('quarantines a message over the size limit, and unparseable input, with the reason', async () => {
    const d = desk({ 'tidings.yaml': `${BASE_FILES['tidings.yaml']}limits: { max_message_bytes: 2048 }\n` });
    const big = await d.ingest(mail({ body: 'x'.repeat(4000) }));
    expect(big.status).toBe('quarantined');
    const q = d.repos.quarantine.get(big.quarantineId!)!;
    expect(q.reasonCode).toBe('E_MESSAGE_TOO_LARGE');
    expect(q.raw?.length).toBeGreaterThan(4000);
    const junk = await d.ingest(Buffer.from('\x00\x01 not a mail at all'));
    expect(junk.status).toBe('quarantined');
    expect(d.repos.quarantine.get(junk.quarantineId!)!.reasonCode).toBe('E_MESSAGE_UNPARSEABLE');
    expect(d.acks()).toHaveLength(0);
  });

  it('drops mail from our own address as a loop and never answers it', async () => {
    const d = desk();
    const out = await d.ingest(mail({ from: 'Support <support@desk.example>' }));
    expect(out.ticketId).toBeUndefined();
    expect(d.acks()).toHaveLength(0);
  });

  it('acknowledges every distinct request of a sender, and a repeated one once an hour', async () => {
    const d = desk();
    for (let i = 0; i < 8; i++) await d.ingest(mail({ subject: `problem ${i}` }));
    expect(d.acks()).toHaveLength(8);
    for (let i = 0; i < 3; i++) await d.ingest(mail({ subject: 'problem 0' }));
    expect(d.acks()).toHaveLength(8);
    d.clock.now += HOUR + 1;
    await d.ingest(mail({ subject: 'problem 0' }));
    expect(d.acks()).toHaveLength(9);
  });
});

describe('languages', () => {
  it('answers a Russian message in Russian, decoding KOI8-R', async () => {
    const d = desk();
    const koi = [
      'From: =?KOI8-R?B?7sHUwczY0Q==?= <nat@client.example>',
      'To: support@desk.example',
      'Subject: =?KOI8-R?B?7sUg0sHCz9TBxdQg18jPxA==?=',
      'Message-ID: <koi-1@client.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=KOI8-R',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(new Uint8Array([0xf3, 0xd0, 0xc1, 0xd3, 0xc9, 0xc2, 0xcf])).toString('base64'),
      '',
    ].join('\n');
    const out = await d.ingest(koi);
    const t = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(t.subject).toBe('Не работает вход');
    expect(t.language).toBe('ru');
    expect(d.acks()[0]!.mail.text).toContain('Ваше обращение зарегистрировано');
  });
});

describe('acknowledgement language', () => {
  const englishLicence = (): ReturnType<typeof desk> =>
    desk({
      'licences.yaml': `licences:
  - key: BX-1001
    type: commercial
    edition: self-hosted
    owner: ACME Ltd
    support_until: 2027-06-30
    emails: [ann@client.example]
    language: en
`,
    });

  it('follows the message when the client of an English licence writes in Russian', async () => {
    const d = englishLicence();
    const out = await d.ingest(mail({ subject: 'Не работает вход в админку', body: 'Здравствуйте! После обновления не можем войти, пишет неверный пароль.' }));
    const t = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(t.licenceKey).toBe('BX-1001');
    expect(t.language).toBe('ru');
    expect(d.acks()[0]!.mail.text).toContain('Ваше обращение зарегистрировано');
  });

  it('follows the licence when the message is too short to tell', async () => {
    const d = englishLicence();
    const out = await d.ingest(mail({ subject: 'Вход', body: 'Ошибка 500' }));
    expect(d.repos.tickets.findTicketByTid(out.ticketId!)!.language).toBe('en');
    expect(d.acks()[0]!.mail.text).not.toContain('Ваше обращение зарегистрировано');
  });
});

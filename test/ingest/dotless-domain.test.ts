import { afterEach, describe, expect, it } from 'vitest';
import { BASE_FILES } from '../config/config-fixture.js';
import { mail, type Desk } from './ingest-fixture.js';
import { clientTicket, eventTypes, openStaffDesk, outbox, staffMail, withAttachment } from './staff-fixture.js';

let desk: Desk | undefined;
afterEach(() => {
  desk?.close();
  desk = undefined;
});

function open(extra: Record<string, string | null> = {}): Desk {
  desk = openStaffDesk(extra);
  return desk;
}

const ALLOW = { 'tidings.yaml': `${BASE_FILES['tidings.yaml']}limits: { auto_reply_dotless_domains: true }\n` };

describe('mail from a dotless intranet domain (root@localhost)', () => {
  it('is stored as a normal ticket, with no acknowledgement and the reason recorded', async () => {
    const d = open();
    const out = await d.ingest(mail({ from: 'Cron Daemon <root@localhost>', subject: 'backup failed' }));
    expect(out.status).toBe('stored');
    const t = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(t).toMatchObject({ requester: 'root@localhost', level: 'non-commercial' });
    expect(d.acks()).toHaveLength(0);
    const suppressed = d.repos.events.listByTicket(t.tid).find((e) => e.type === 'ack.suppressed');
    expect(suppressed?.data).toEqual({ reason: 'dotless-domain' });
    // Staff still hear of it: only automatic mail to the sender is held back.
    expect(outbox(d, 'notification').filter((r) => r.ticketId === t.tid)).toHaveLength(1);
  });

  it('gets no closing mail and no BMP note either', async () => {
    const d = open();
    const { tid } = await clientTicket(d, { from: 'root@intranet' });
    await d.ingest(withAttachment(mail({ from: 'root@intranet', subject: `Re: [TID#${tid}] Cannot log in` }), { name: 'screen.bmp', type: 'image/bmp', content: Buffer.alloc(2000, 1) }));
    expect(outbox(d, 'bmp-note')).toHaveLength(0);
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close' }));
    expect(outbox(d, 'closing')).toHaveLength(0);
    expect(d.repos.events.listByTicket(tid).find((e) => e.type === 'closing.suppressed')?.data).toEqual({ reason: 'dotless-domain' });
  });

  it('is answered like any other sender when limits.auto_reply_dotless_domains allows it', async () => {
    const d = open(ALLOW);
    const out = await d.ingest(mail({ from: 'root@localhost' }));
    expect(d.acks().map((a) => a.recipients)).toEqual([['root@localhost']]);
    expect(eventTypes(d, out.ticketId!)).toContain('ack.queued');
  });
});

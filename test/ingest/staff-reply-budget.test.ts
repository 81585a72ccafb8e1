import { describe, expect, it } from 'vitest';
import { BASE_FILES } from '../config/config-fixture.js';
import { closedAfterEach, type Desk } from './ingest-fixture.js';
import { clientTicket, openStaffDesk, outbox, staffMail } from './staff-fixture.js';

/** Staff command-error mail has its own hourly budget; mail in a staff name never spends it. */
const open = closedAfterEach(openStaffDesk);
const limits = (yaml: string) => ({ 'tidings.yaml': `${BASE_FILES['tidings.yaml']}limits: ${yaml}\n` });

const forged = (tid: number, i: number) => staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: `#close\nForgery ${i}.`, authResults: null });
const genuineBadCommand = (tid: number) => staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#clsoe\nAll done.' });

async function expectErrorReply(d: Desk, tid: number): Promise<void> {
  await d.ingest(genuineBadCommand(tid));
  expect(outbox(d, 'command-error')).toHaveLength(1);
  expect(outbox(d, 'command-error')[0]!.recipients).toEqual(['eve@desk.example']);
  expect(d.repos.events.listByTicket(tid).map((e) => e.type)).not.toContain('command_error.suppressed');
}

describe('staff reply budget', () => {
  it('N forged mails in a staff name, then a genuine staff mail with a bad command still gets its error reply', async () => {
    const d = open();
    const { tid } = await clientTicket(d);
    for (let i = 0; i < 8; i++) expect((await d.ingest(forged(tid, i))).status).toBe('quarantined');
    await expectErrorReply(d, tid);
  });

  it('acknowledgements to forgeries the admin released as client mail do not spend the staff member\'s error replies', async () => {
    const d = open();
    const { tid } = await clientTicket(d);
    for (let i = 0; i < 6; i++) {
      const held = await d.ingest(forged(tid, i));
      const entry = d.repos.quarantine.get(held.quarantineId!)!;
      await d.ingest(entry.raw!, { source: 'reprocess', key: `quarantine:${entry.id}` }, { reprocessOf: entry.id });
    }
    // The released forgeries are distinct requests, so each was acknowledged to the staff address...
    expect(d.acks().filter((a) => a.recipients.includes('eve@desk.example'))).toHaveLength(6);
    // ...and the real Eve still hears that her command was not carried out.
    await expectErrorReply(d, tid);
  });

  it('the staff budget is its own setting, apart from the client cap', async () => {
    const d = open(limits('{ auto_replies_per_sender_per_hour: 0, command_errors_per_staff_per_hour: 2 }'));
    const { tid } = await clientTicket(d);
    for (let i = 0; i < 3; i++) await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: `#bogus${i}` }));
    expect(outbox(d, 'command-error')).toHaveLength(2);
    const suppressed = d.repos.events.listByTicket(tid).filter((e) => e.type === 'command_error.suppressed');
    expect(suppressed.map((e) => e.data.reason)).toEqual(['rate-limit']);
    // An hour later the budget is back.
    d.clock.now += 61 * 60_000;
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#bogus' }));
    expect(outbox(d, 'command-error')).toHaveLength(3);
  });
});

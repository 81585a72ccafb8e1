import { generateKeyPairSync } from 'node:crypto';
import { dkimSign, type DKIMSignOptions } from 'mailauth';
import { describe, expect, it } from 'vitest';
import { closedAfterEach, type Desk } from './ingest-fixture.js';
import { clientTicket, openStaffDesk, outbox, STAFF_YAML, staffMail } from './staff-fixture.js';

/**
 * The forgery of issue 13: our MTA writes no Authentication-Results for unsigned mail, so the
 * sender's own `Authentication-Results: <our id>; dkim=pass` is the top-most one.
 */
const open = closedAfterEach(openStaffDesk);

const LMTP = 'Received: from verify.desk.example (localhost [127.0.0.1]) by imap.desk.example (Dovecot) with LMTP id 1; Mon, 23 Nov 2026 10:00:02 +0100';
const SECOND_PASS = 'Received: from mx.desk.example (localhost [127.0.0.1]) by verify.desk.example (Postfix) with ESMTP id 2; Mon, 23 Nov 2026 10:00:01 +0100';
const BORDER = 'Received: from evil.example (evil.example [203.0.113.9]) by mx.desk.example (Postfix) with ESMTP id 3; Mon, 23 Nov 2026 10:00:00 +0100';
const FORGED = 'Authentication-Results: mx.desk.example; dkim=pass header.d=desk.example header.s=s1';

const withTrustedHosts = (extra: string) => STAFF_YAML.replace('  authserv_id: mx.desk.example\n', `  authserv_id: mx.desk.example\n${extra}`);

/** A staff command mail with the given header lines on top (as the hops added them, top first). */
function arriving(tid: number, top: string[]): string {
  return [...top, staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close\nYour data has been deleted.', authResults: null })].join('\n');
}

async function expectNotStaff(d: Desk, tid: number, raw: string | Buffer): Promise<void> {
  const before = d.repos.tickets.findTicketByTid(tid)!;
  await d.ingest(raw);
  expect(d.repos.tickets.findTicketByTid(tid)).toEqual(before);
  expect(outbox(d, 'relay')).toHaveLength(0);
  expect(d.repos.events.listByTicket(tid).map((e) => e.type)).not.toContain('staff.replied');
}

describe('staff.trusted_hosts', () => {
  const yaml = withTrustedHosts('  trusted_hosts: [imap.desk.example, verify.desk.example]\n');

  it('refuses the attack: a forged field with our id below the Received our border MX wrote', async () => {
    const d = open({ 'staff.yaml': yaml });
    const { tid } = await clientTicket(d);
    await expectNotStaff(d, tid, arriving(tid, [LMTP, SECOND_PASS, BORDER, FORGED]));
  });

  it('without trusted_hosts (the default, for configs written before it) the position is not checked', async () => {
    // The hole the setting closes; doctor and check-config warn about such a config.
    const plain = open();
    const t0 = await clientTicket(plain);
    await plain.ingest(arriving(t0.tid, [LMTP, SECOND_PASS, BORDER, FORGED]));
    expect(plain.repos.tickets.findTicketByTid(t0.tid)!.status).toBe('closed');
  });

  it('the genuine path: our verifier\'s field above the border Received acts as staff', async () => {
    const d = open({ 'staff.yaml': yaml });
    const { tid } = await clientTicket(d);
    await d.ingest(arriving(tid, [LMTP, SECOND_PASS, FORGED.replace('header.s=s1', 'header.s=s1 (ours)'), BORDER]));
    expect(d.repos.tickets.findTicketByTid(tid)!.status).toBe('closed');
    expect(outbox(d, 'relay')).toHaveLength(1);
  });
});

describe('staff.verify: dkim', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const yaml = STAFF_YAML.replace(
    '  authserv_id: mx.desk.example\n',
    `  verify: dkim\n  dkim_keys:\n    "s1._domainkey.desk.example": "v=DKIM1; k=rsa; p=${p}"\n`,
  );

  /** Signs as our submission server would, at the desk's clock (a signature from the future is refused). */
  async function signed(d: Desk, raw: string, signingDomain = 'desk.example'): Promise<Buffer> {
    const crlf = Buffer.from(raw.replace(/\r?\n/g, '\r\n'));
    // mailauth 4 reads signatureData; its type definitions still describe the older flat options.
    const options = { canonicalization: 'relaxed/relaxed', signTime: d.clock.now, signatureData: [{ signingDomain, selector: 's1', privateKey: pem }] };
    const { signatures, errors } = await dkimSign(crlf, options as unknown as DKIMSignOptions);
    expect(errors).toEqual([]);
    expect(signatures).toContain(`d=${signingDomain}`);
    return Buffer.concat([Buffer.from(signatures), crlf]);
  }

  it('refuses the attack: unsigned mail carrying our id in its own top-most field', async () => {
    const d = open({ 'staff.yaml': yaml });
    const { tid } = await clientTicket(d);
    await expectNotStaff(d, tid, arriving(tid, [LMTP, FORGED, BORDER]));
  });

  it('the genuine path: a signature by the From domain, checked against the pinned key, acts as staff', async () => {
    const d = open({ 'staff.yaml': yaml });
    const { tid } = await clientTicket(d);
    await d.ingest(await signed(d, arriving(tid, [])));
    expect(d.repos.tickets.findTicketByTid(tid)!.status).toBe('closed');
    expect(d.repos.events.listByTicket(tid).find((e) => e.type === 'staff.replied')!.data.auth).toBe('dkim');
  });

  it('a body altered after signing fails', async () => {
    const d = open({ 'staff.yaml': yaml });
    const { tid } = await clientTicket(d);
    const good = (await signed(d, arriving(tid, []))).toString();
    await expectNotStaff(d, tid, Buffer.from(good.replace('Your data has been deleted.', 'Your data has been deleted!')));
  });

  it('a signature by another domain does not vouch for a staff From', async () => {
    const d = open({ 'staff.yaml': yaml.replace('s1._domainkey.desk.example', 's1._domainkey.evil.example') });
    const { tid } = await clientTicket(d);
    await expectNotStaff(d, tid, await signed(d, arriving(tid, []), 'evil.example'));
  });
});

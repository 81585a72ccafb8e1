import { describe, expect, it } from 'vitest';
import { aligned, decideStaffAuth, type StaffAuthInput } from '../../../src/core/staff/staff-auth.js';

const base: StaffAuthInput = { requireAuth: true, authservId: 'mx.desk.example', trustedHosts: [], verify: undefined, from: 'eve@desk.example', trace: [] };
const arFields = (ar: string[]) => ar.map((value) => ({ name: 'authentication-results', value }));
const decide = (ar: string[], over: Partial<StaffAuthInput> = {}) => decideStaffAuth({ ...base, trace: arFields(ar), ...over });
const received = (value: string) => ({ name: 'received', value });
const ar = (value: string) => ({ name: 'authentication-results', value });

describe('decideStaffAuth', () => {
  it.each<[string, string[], string]>([
    ['dkim pass, same domain', ['mx.desk.example; dkim=pass header.d=desk.example'], 'dkim'],
    ['dkim pass with only header.i', ['mx.desk.example; dkim=pass header.i=@desk.example'], 'dkim'],
    ['spf pass, mailfrom an address', ['mx.desk.example; spf=pass smtp.mailfrom=bounces@desk.example'], 'spf'],
    ['spf pass, mailfrom a bare domain', ['mx.desk.example; spf=pass smtp.mailfrom=desk.example'], 'spf'],
    ['dkim fails but spf passes', ['mx.desk.example; dkim=fail header.d=desk.example; spf=pass smtp.mailfrom=eve@desk.example'], 'spf'],
    ['one of two signatures passes aligned', ['mx.desk.example; dkim=pass header.d=esp.example; dkim=pass header.d=desk.example'], 'dkim'],
    ['authserv-id compared case-insensitively', ['MX.Desk.Example; dkim=pass header.d=DESK.example'], 'dkim'],
  ])('trusts %s', (_, ar, method) => {
    expect(decide(ar)).toMatchObject({ trusted: true, method });
  });

  it.each<[string, string[], string]>([
    ['no Authentication-Results at all', [], 'no-results'],
    ['only a foreign server\'s results', ['mx.evil.example; dkim=pass header.d=desk.example'], 'no-results'],
    ['our server says fail', ['mx.desk.example; dkim=fail header.d=desk.example; spf=softfail smtp.mailfrom=eve@desk.example'], 'no-pass'],
    ['our server says none', ['mx.desk.example; none'], 'no-pass'],
    ['dkim passes for another domain', ['mx.desk.example; dkim=pass header.d=evil.example'], 'not-aligned'],
    ['spf passes for another domain', ['mx.desk.example; spf=pass smtp.mailfrom=x@evil.example'], 'not-aligned'],
    ['a look-alike domain', ['mx.desk.example; dkim=pass header.d=notdesk.example'], 'not-aligned'],
    ['dmarc pass alone (only dkim and spf count)', ['mx.desk.example; dmarc=pass header.from=desk.example'], 'no-pass'],
    ['dkim pass without a domain', ['mx.desk.example; dkim=pass'], 'not-aligned'],
  ])('does not trust %s', (_, ar, reason) => {
    expect(decide(ar)).toMatchObject({ trusted: false, reason });
  });

  it('reads only the top-most field of our server: a forged pass below our fail does not count', () => {
    const ar = ['mx.desk.example; dkim=fail header.d=desk.example', 'mx.desk.example; dkim=pass header.d=desk.example'];
    expect(decide(ar)).toMatchObject({ trusted: false, reason: 'no-pass' });
  });

  it('ignores fields of other servers above ours, and forged ones of ours below', () => {
    const ar = ['filter.desk.example; dkim=fail', 'mx.desk.example; spf=pass smtp.mailfrom=eve@desk.example', 'mx.desk.example; dkim=fail'];
    expect(decide(ar)).toMatchObject({ trusted: true, method: 'spf' });
  });

  it('trusts the From when require_auth is off, and never without an authserv-id when it is on', () => {
    expect(decide([], { requireAuth: false })).toMatchObject({ trusted: true, method: 'not-required' });
    expect(decide(['mx.desk.example; dkim=pass header.d=desk.example'], { authservId: undefined })).toMatchObject({ trusted: false, reason: 'no-authserv-id' });
    expect(decide(['mx.desk.example; dkim=pass header.d=desk.example'], { authservId: '  ' })).toMatchObject({ trusted: false, reason: 'no-authserv-id' });
  });
});

describe('decideStaffAuth with staff.trusted_hosts', () => {
  const trusted = { trustedHosts: ['imap.desk.example', 'verify.desk.example'] };
  const lmtp = received('from verify.desk.example (localhost [127.0.0.1]) by imap.desk.example (Dovecot) with LMTP id 1; Mon, 6 Jan 2025 10:00:00 +0000');
  const secondPass = received('from mx.desk.example (localhost [127.0.0.1]) by verify.desk.example (Postfix) with ESMTP id 2; Mon, 6 Jan 2025 10:00:00 +0000');
  const border = received('from evil.example (evil.example [203.0.113.9]) by mx.desk.example (Postfix) with ESMTP id 3; Mon, 6 Jan 2025 10:00:00 +0000');

  it('refuses the attack: the sender\'s own field with our id under a Received our hosts did not write', () => {
    const forged = ar('mx.desk.example; dkim=pass header.d=desk.example');
    expect(decideStaffAuth({ ...base, ...trusted, trace: [lmtp, secondPass, border, forged] })).toMatchObject({ trusted: false, reason: 'no-results' });
    // Without trusted_hosts the same message passes: that is the hole the setting closes.
    expect(decideStaffAuth({ ...base, trace: [lmtp, secondPass, border, forged] })).toMatchObject({ trusted: true });
  });

  it('trusts our verdict above the first foreign Received', () => {
    const ours = ar('mx.desk.example; dkim=pass header.d=desk.example');
    const forgedFail = ar('mx.desk.example; dkim=fail');
    expect(decideStaffAuth({ ...base, ...trusted, trace: [lmtp, secondPass, ours, border, forgedFail] })).toMatchObject({ trusted: true, method: 'dkim' });
  });

  it('host names compare case-insensitively, a trailing dot ignored; a Received without by is foreign', () => {
    const ours = ar('mx.desk.example; dkim=pass header.d=desk.example');
    const upper = received('from x by IMAP.Desk.Example. with LMTP; Mon, 6 Jan 2025 10:00:00 +0000');
    expect(decideStaffAuth({ ...base, ...trusted, trace: [upper, ours] })).toMatchObject({ trusted: true });
    expect(decideStaffAuth({ ...base, ...trusted, trace: [received('from x with LMTP; Mon, 6 Jan 2025'), ours] })).toMatchObject({ trusted: false, reason: 'no-results' });
  });

  it('a host name in a comment (the HELO Postfix records) is not the by clause', () => {
    const ours = ar('mx.desk.example; dkim=pass header.d=desk.example');
    const helo = received('from evil (HELO by imap.desk.example) (evil [203.0.113.9]) by relay.evil.example; Mon, 6 Jan 2025');
    expect(decideStaffAuth({ ...base, ...trusted, trace: [helo, ours] })).toMatchObject({ trusted: false, reason: 'no-results' });
  });
});

describe('decideStaffAuth with staff.verify: dkim', () => {
  const verify = { verify: 'dkim' as const, authservId: undefined };
  it('trusts only its own aligned DKIM pass and ignores every Authentication-Results field', () => {
    const forged = arFields(['mx.desk.example; dkim=pass header.d=desk.example']);
    expect(decideStaffAuth({ ...base, ...verify, trace: forged, dkim: [] })).toMatchObject({ trusted: false, reason: 'no-pass', detail: 'no DKIM signature' });
    expect(decideStaffAuth({ ...base, ...verify, trace: forged, dkim: undefined })).toMatchObject({ trusted: false, reason: 'not-verified' });
    expect(decideStaffAuth({ ...base, ...verify, dkim: [{ result: 'pass', domain: 'desk.example' }] })).toMatchObject({ trusted: true, method: 'dkim' });
    expect(decideStaffAuth({ ...base, ...verify, dkim: [{ result: 'pass', domain: 'evil.example' }] })).toMatchObject({ trusted: false, reason: 'not-aligned' });
    expect(decideStaffAuth({ ...base, ...verify, dkim: [{ result: 'fail', domain: 'desk.example', comment: 'body hash did not verify' }] })).toMatchObject({
      trusted: false,
      reason: 'no-pass',
      detail: 'dkim=fail header.d=desk.example (body hash did not verify)',
    });
  });
});

describe('aligned', () => {
  it.each<[string, string, boolean]>([
    ['desk.example', 'desk.example', true],
    ['desk.example', 'eu.desk.example', true],
    ['mail.desk.example', 'desk.example', true],
    ['@desk.example', 'desk.example.', true],
    ['example', 'desk.example', false],
    ['example', 'example', false],
    ['sk.example', 'desk.example', false],
    ['', 'desk.example', false],
    ['desk.example', '', false],
  ])('%s ~ %s: %s', (a, f, want) => expect(aligned(a, f)).toBe(want));
});

import { describe, expect, it } from 'vitest';
import { aligned, decideStaffAuth, type StaffAuthInput } from '../../../src/core/staff/staff-auth.js';

const base: StaffAuthInput = { requireAuth: true, authservId: 'mx.desk.example', from: 'eve@desk.example', authenticationResults: [] };
const decide = (ar: string[], over: Partial<StaffAuthInput> = {}) => decideStaffAuth({ ...base, authenticationResults: ar, ...over });

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

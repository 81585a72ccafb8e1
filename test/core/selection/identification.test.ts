import { describe, expect, it } from 'vitest';
import { compileSelection } from '../../../src/core/selection/select-level.js';
import type { LicenceMatch, LicenceStatus, ReasonCode } from '../../../src/core/selection/selection-result.js';
import { NOON, OPTIONS, withSelection } from './fixtures.js';

const selector = compileSelection(OPTIONS);

interface Row {
  name: string;
  from: string;
  level: string;
  licence: string | undefined;
  matchedBy?: LicenceMatch;
  status: LicenceStatus;
  reason: ReasonCode;
}

describe('sender address → licence', () => {
  const rows: Row[] = [
    { name: 'exact address', from: 'ann@client.example', level: 'commercial', licence: 'BX-1001', matchedBy: 'address', status: 'active', reason: 'licence-matched' },
    { name: 'address in another case', from: 'ANN@Client.EXAMPLE', level: 'commercial', licence: 'BX-1001', matchedBy: 'address', status: 'active', reason: 'licence-matched' },
    { name: 'display-name form', from: 'Ann Smith <Ann@client.example>', level: 'commercial', licence: 'BX-1001', matchedBy: 'address', status: 'active', reason: 'licence-matched' },
    { name: 'surrounding blanks', from: '  ann@client.example \n', level: 'commercial', licence: 'BX-1001', matchedBy: 'address', status: 'active', reason: 'licence-matched' },
    { name: 'IDN address, Unicode and upper case', from: 'Ivan@ПРИМЕР.РФ', level: 'commercial', licence: 'BX-1001', matchedBy: 'address', status: 'active', reason: 'licence-matched' },
    { name: 'IDN address as punycode', from: 'ivan@xn--e1afmkfd.xn--p1ai', level: 'commercial', licence: 'BX-1001', matchedBy: 'address', status: 'active', reason: 'licence-matched' },
    { name: 'other local part at a listed address domain', from: 'bob@client.example', level: 'non-commercial', licence: undefined, status: 'none', reason: 'no-licence' },
    { name: 'exact domain', from: 'anyone@partner.example', level: 'partner', licence: 'BX-2002', matchedBy: 'domain', status: 'active', reason: 'licence-matched' },
    { name: 'exact domain, upper case', from: 'Anyone@PARTNER.Example', level: 'partner', licence: 'BX-2002', matchedBy: 'domain', status: 'active', reason: 'licence-matched' },
    { name: 'exact domain does not cover its subdomains', from: 'x@eu.partner.example', level: 'non-commercial', licence: undefined, status: 'none', reason: 'no-licence' },
    { name: 'look-alike domain', from: 'x@evilpartner.example', level: 'non-commercial', licence: undefined, status: 'none', reason: 'no-licence' },
    { name: 'listed address beats wildcard', from: 'boss@delta.example', level: 'enterprise-vip', licence: 'BX-4004', matchedBy: 'address', status: 'active', reason: 'licence-matched' },
    { name: 'wildcard, one level', from: 'it@ops.delta.example', level: 'enterprise-vip', licence: 'BX-4004', matchedBy: 'subdomain', status: 'active', reason: 'licence-matched' },
    { name: 'wildcard, two levels', from: 'it@a.b.delta.example', level: 'enterprise-vip', licence: 'BX-4004', matchedBy: 'subdomain', status: 'active', reason: 'licence-matched' },
    { name: 'wildcard does not cover the bare domain', from: 'clerk@delta.example', level: 'non-commercial', licence: undefined, status: 'none', reason: 'no-licence' },
    { name: 'wildcard, expired licence', from: 'dev@eu.gamma.example', level: 'non-commercial', licence: 'BX-3003', matchedBy: 'subdomain', status: 'expired', reason: 'support-expired' },
    { name: 'unknown sender', from: 'stranger@nowhere.example', level: 'non-commercial', licence: undefined, status: 'none', reason: 'no-licence' },
    { name: 'licence without a rule (nfr) → fallback', from: 'e@echo.example', level: 'non-commercial', licence: 'BX-5005', matchedBy: 'address', status: 'active', reason: 'no-rule' },
  ];

  it.each(rows)('$name: $from → $level', (r) => {
    const s = selector.select({ from: r.from, at: NOON });
    expect(s.level).toBe(r.level);
    expect(s.licence?.key).toBe(r.licence);
    expect(s.licence?.matchedBy).toBe(r.matchedBy);
    expect(s.licenceStatus).toBe(r.status);
    expect(s.reason.code).toBe(r.reason);
    expect(s.reason.tellClient).toBe(r.reason !== 'licence-matched');
  });

  it('reports the full licence and the sender as matched', () => {
    const s = selector.select({ from: 'Ann <ANN@client.example>', at: NOON });
    expect(s).toEqual({
      level: 'commercial',
      rule: 5,
      sender: 'ann@client.example',
      licenceStatus: 'active',
      urgent: false,
      licence: { key: 'BX-1001', type: 'commercial', edition: 'Premium', owner: 'ACME Ltd', status: 'active', supportUntil: '2027-06-30', matchedBy: 'address' },
      reason: {
        code: 'licence-matched',
        tellClient: false,
        note: 'Commercial licence',
        text: {
          en: 'Your address is registered to licence BX-1001 (commercial, Premium) of ACME Ltd; support until 2027-06-30.',
          ru: 'Ваш адрес указан в лицензии BX-1001 (commercial, Premium), владелец ACME Ltd; поддержка до 30.06.2027.',
        },
      },
    });
  });

  it('an unknown sender is told why, in both languages', () => {
    const s = selector.select({ from: 'stranger@nowhere.example', at: NOON });
    expect(s.reason.text.en).toBe(
      'Your address stranger@nowhere.example is not registered to a licence; a commercial service level is given only to requests sent from an address listed in a licence.',
    );
    expect(s.reason.text.ru).toContain('не указан ни в одной лицензии');
    expect(s.licence).toBeUndefined();
    expect(s.rule).toBe(6);
  });

  it('expired support names the licence and its last day', () => {
    const s = selector.select({ from: 'dev@eu.gamma.example', at: NOON });
    expect(s.reason.text.en).toBe('Support for licence BX-3003 ended on 2024-12-31; a commercial service level applies only while support is active.');
    expect(s.reason.text.ru).toContain('закончился 31.12.2024');
    expect(s.licence).toMatchObject({ key: 'BX-3003', status: 'expired' });
  });

  it('the wildcard closest to the sender wins', () => {
    const licences = [
      { ...OPTIONS.licences[1]!, key: 'WIDE', domains: ['*.example.org'] },
      { ...OPTIONS.licences[1]!, key: 'NARROW', domains: ['*.eu.example.org'] },
    ];
    const sel = compileSelection({ ...OPTIONS, licences });
    expect(sel.select({ from: 'a@x.eu.example.org', at: NOON }).licence?.key).toBe('NARROW');
    expect(sel.select({ from: 'a@eu.example.org', at: NOON }).licence?.key).toBe('WIDE');
    expect(sel.select({ from: 'a@us.example.org', at: NOON }).licence?.key).toBe('WIDE');
  });

  it('an address listed in two licences (config validation refuses this) goes to the first, every time', () => {
    const licences = [
      { ...OPTIONS.licences[1]!, key: 'FIRST', domains: [], emails: ['x@dup.example'] },
      { ...OPTIONS.licences[1]!, key: 'SECOND', domains: [], emails: ['X@DUP.example'] },
    ];
    expect(compileSelection({ ...OPTIONS, licences }).select({ from: 'x@dup.example', at: NOON }).licence?.key).toBe('FIRST');
  });
});

describe('licence number quoted in the message (seed 003 4.2.5)', () => {
  const on = compileSelection(withSelection({ licence_from_message: true }));

  it.each([
    ['subject', { subject: 'Ошибка на сайте, лицензия BX-7007' }],
    ['body, lower case, end of sentence', { body: 'Our licence is bx-7007.\nThanks' }],
    ['body after a number sign', { body: 'Купон №BX-7007' }],
  ])('a licence that lists no addresses is identified by its number in the %s', (_where, msg) => {
    const s = on.select({ from: 'someone@anywhere.example', at: NOON, ...msg });
    expect(s.level).toBe('commercial');
    expect(s.licence).toMatchObject({ key: 'BX-7007', matchedBy: 'message', status: 'active' });
    expect(s.quotedLicence).toEqual({ key: 'BX-7007', accepted: true });
    expect(s.reason.code).toBe('licence-matched');
    expect(s.reason.text.en).toContain('identified by the number in your message');
  });

  it.each([
    ['glued to more digits', 'BX-70071'],
    ['glued to a word', 'xBX-7007'],
    ['continued by a dash and digit', 'BX-7007-2'],
  ])('a number %s is not a quote', (_why, text) => {
    const s = on.select({ from: 'someone@anywhere.example', at: NOON, body: `licence ${text} please` });
    expect(s.licence).toBeUndefined();
    expect(s.quotedLicence).toBeUndefined();
  });

  it('a number of a licence that lists addresses is reported but not honoured from another address (4.9)', () => {
    const s = on.select({ from: 'someone@anywhere.example', at: NOON, subject: 'BX-1001 problem' });
    expect(s.level).toBe('non-commercial');
    expect(s.licenceStatus).toBe('none');
    expect(s.licence).toBeUndefined();
    expect(s.quotedLicence).toEqual({ key: 'BX-1001', accepted: false });
    expect(s.reason.code).toBe('address-not-in-licence');
    expect(s.reason.tellClient).toBe(true);
    expect(s.reason.text.en).toContain('quotes licence BX-1001, but your address someone@anywhere.example is not registered to it');
  });

  it('the listed address wins over a number quoted in the message', () => {
    const s = on.select({ from: 'ann@client.example', at: NOON, body: 'for our client BX-7007' });
    expect(s.licence).toMatchObject({ key: 'BX-1001', matchedBy: 'address' });
    expect(s.quotedLicence).toEqual({ key: 'BX-7007', accepted: false });
    expect(s.reason.code).toBe('licence-matched');
  });

  it('quoting one’s own number from a listed address is accepted', () => {
    const s = on.select({ from: 'ann@client.example', at: NOON, body: 'BX-7007 and our BX-1001' });
    expect(s.quotedLicence).toEqual({ key: 'BX-1001', accepted: true });
  });

  it('an honoured number among others: the first one that may identify wins', () => {
    const s = on.select({ from: 'someone@anywhere.example', at: NOON, subject: 'BX-1001', body: 'BX-7007' });
    expect(s.licence?.key).toBe('BX-7007');
  });

  it('a quoted number of a licence whose support ended gives the fallback and says so', () => {
    const s = on.select({ from: 'someone@anywhere.example', at: NOON, body: 'BX-8008' });
    expect(s).toMatchObject({ level: 'non-commercial', licenceStatus: 'expired', reason: { code: 'support-expired', tellClient: true } });
    expect(s.reason.text.en).toContain('ended on 2025-01-31');
  });

  it('with nothing quoted the client is asked for the number', () => {
    const s = on.select({ from: 'someone@anywhere.example', at: NOON, body: 'help' });
    expect(s.reason.code).toBe('no-licence');
    expect(s.reason.text.en).toContain('Please quote the licence (coupon) number');
    expect(s.reason.text.ru).toContain('укажите номер купона');
  });

  it('with the switch off a quoted number is ignored', () => {
    const s = compileSelection(OPTIONS).select({ from: 'someone@anywhere.example', at: NOON, subject: 'BX-7007' });
    expect(s.licence).toBeUndefined();
    expect(s.quotedLicence).toBeUndefined();
    expect(s.reason.code).toBe('no-licence');
  });
});

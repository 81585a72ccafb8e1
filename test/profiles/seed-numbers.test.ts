import { describe, expect, it } from 'vitest';
import { loadProfile } from './helpers.js';

// The numbers each regulation states, level by level (DESIGN section 2), against the profile's
// levels.yaml: response time and clock. Seed 003 states no response times (2.5), so it has no row.
const SEEDS: Record<string, Record<string, { response: string; clock: string }>> = {
  '000-bitrix24': {
    'partner-self-hosted': { response: '24h', clock: 'business' }, // 2.5.1
    'commercial-self-hosted': { response: '24h', clock: 'business' }, // 2.5.1
    'partner-cloud': { response: '16h', clock: 'business' }, // 2.5.2
    'commercial-cloud': { response: '16h', clock: 'business' }, // 2.5.2
    'non-commercial-self-hosted': { response: '48h', clock: 'business' }, // 2.5.3
    'non-commercial-cloud': { response: '32h', clock: 'business' }, // 2.5.3
    'non-product': { response: '72h', clock: 'business' }, // 2.5.4
    development: { response: '14d', clock: 'calendar-days' }, // 2.5.5
  },
  '001-site-manager': {
    'vip-request': { response: '4h', clock: '24x7' }, // 2.5.2, "24 hours a day, 7 days a week"
    'vip-support': { response: '24h', clock: 'business' }, // 2.5.2
    partner: { response: '24h', clock: 'business' }, // 2.5.1, table 2.6
    commercial: { response: '24h', clock: 'business' }, // 2.5.1, table 2.6
    'non-commercial': { response: '48h', clock: 'business' }, // 2.5.3
    'non-product': { response: '72h', clock: 'business' }, // 2.5.4
    development: { response: '14d', clock: 'calendar-days' }, // 2.5.5
  },
  '002-1c-bitrix': {
    'partner-urgent': { response: '3h', clock: 'business' }, // 5.1
    'partner-standard': { response: '5h', clock: 'business' }, // 5.2
    'commercial-urgent': { response: '4h', clock: 'business' }, // 5.3
    'commercial-standard': { response: '6h', clock: 'business' }, // 5.4
    vip: { response: '2h', clock: 'business' }, // 5.5
    'non-commercial': { response: '24h', clock: 'business' }, // 5.7
    consultation: { response: '40h', clock: 'business' }, // 5.8
  },
};

describe('profile levels carry exactly their seed numbers', () => {
  for (const [name, levels] of Object.entries(SEEDS)) {
    it(name, () => {
      const p = loadProfile(name);
      const actual = Object.fromEntries(Object.entries(p.config.levels).map(([k, l]) => [k, { response: l.response, clock: l.clock }]));
      expect(actual).toEqual(levels);
    });
  }

  it('001 VIP coupons: 3 a year for Premium, 5 for Ultimate (2.5.2, table 2.6)', () => {
    const p = loadProfile('001-site-manager');
    const perYear = new Map(p.config.licences.filter((l) => l.vip_coupons).map((l) => [l.edition, l.vip_coupons!.per_year]));
    expect(Object.fromEntries(perYear)).toEqual({ premium: 3, ultimate: 5 });
  });

  it('000 and 001 work 9:00-18:00 Monday to Friday (000, note to 2.6); 002 8-hour days; 003 7:00-16:00 Moscow (2.1)', () => {
    const weekdays = (ranges: string[]): Record<string, string[]> => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, ranges]));
    expect(loadProfile('000-bitrix24').config.calendars['berlin']?.week).toEqual(weekdays(['09:00-18:00']));
    expect(loadProfile('001-site-manager').config.calendars['berlin']?.week).toEqual(weekdays(['09:00-18:00']));
    expect(loadProfile('002-1c-bitrix').config.calendars['moscow']?.week).toEqual(weekdays(['09:00-13:00', '14:00-18:00']));
    const moscow = loadProfile('003-partner').config.calendars['moscow'];
    expect([moscow?.zone, moscow?.week]).toEqual(['Europe/Moscow', weekdays(['07:00-16:00'])]);
  });
});

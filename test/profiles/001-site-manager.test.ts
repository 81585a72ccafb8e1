import { describe } from 'vitest';
import { everyLevelIsSane, levelTable, loadProfile, requestTable } from './helpers.js';

// Seed 001 (Site Manager): the Bitrix24 Berlin calendar (Mon-Fri 09:00-18:00, 9 h a day, nationwide
// German holidays; 24 and 31 December are official working days, so business days as in seed 000). VIP request by coupon: 4 h around the
// clock (real elapsed time, shown in Berlin time). Coupons: Premium 3 a year, Ultimate 5.
// Non-commercial support lasts 30 days (table 2.6), counted from the licence's support_from as day 1.
// Berlin: CET +01:00, CEST +02:00; 2026 changes on 29 Mar (01:00Z) and 25 Oct (01:00Z).
describe('profile 001-site-manager', () => {
  const p = loadProfile('001-site-manager');

  requestTable(p, [
    {
      name: 'VIP request at night by coupon in the subject, across the March DST change',
      from: 'carol@gamma-shop.example',
      at: '2026-03-28T23:30:00+01:00',
      subject: 'Shop down, coupon VIP-GAMMA-2026-A',
      level: 'vip-request',
      reason: 'vip-coupon',
      licence: 'SM-C-1002',
      coupon: 'VIP-GAMMA-2026-A',
      deadline: '2026-03-29T04:30:00+02:00',
      why: '23:30 CET = 22:30Z; +4h real = 02:30Z = 04:30 CEST (the wall clock jumps 02:00->03:00 on the way)',
    },
    {
      name: 'VIP request at night, coupon lower case in the body, 5th of 5 for Ultimate',
      from: 'ops@omega-portal.example',
      at: '2026-10-20T22:15:00+02:00',
      body: 'Please treat as VIP: vip-omega-2026-5\nThe portal returns 500.',
      couponUsesThisYear: new Map([['SM-C-1003', 4]]),
      level: 'vip-request',
      reason: 'vip-coupon',
      licence: 'SM-C-1003',
      coupon: 'VIP-OMEGA-2026-5',
      deadline: '2026-10-21T02:15:00+02:00',
      why: 'Tue 22:15 CEST + 4h real = Wed 02:15 CEST; 4 used + this one = 5 of 5',
    },
    {
      name: 'VIP request on Saturday night across the October DST change',
      from: 'cto@omega-portal.example',
      at: '2026-10-24T23:00:00+02:00',
      subject: 'VIP-OMEGA-2026-1 checkout broken',
      level: 'vip-request',
      reason: 'vip-coupon',
      licence: 'SM-C-1003',
      coupon: 'VIP-OMEGA-2026-1',
      deadline: '2026-10-25T02:00:00+01:00',
      why: '23:00 CEST = 21:00Z; +4h = 01:00Z = 02:00 CET (clocks went back at 01:00Z), 3h on the wall clock',
    },
    {
      name: 'Premium quota used up: coupon refused, VIP Support 24h from Friday evening',
      from: 'carol@gamma-shop.example',
      at: '2026-11-20T20:00:00+01:00',
      subject: 'VIP-GAMMA-2026-B',
      couponUsesThisYear: new Map([['SM-C-1002', 3]]),
      level: 'vip-support',
      reason: 'licence-matched',
      licence: 'SM-C-1002',
      couponRejected: 'quota-exhausted',
      deadline: '2026-11-25T15:00:00+01:00',
      why: 'Fri 20:00 after hours; Mon 23 9h; Tue 24 9h (18); Wed 25 09:00+6h = 15:00 (24h)',
    },
    {
      name: 'coupon already used: refused, VIP Support from a weekend night',
      from: 'ops@omega-portal.example',
      at: '2026-01-03T03:00:00+01:00',
      subject: 'again VIP-OMEGA-2026-2',
      couponUsed: new Set(['VIP-OMEGA-2026-2']),
      level: 'vip-support',
      reason: 'licence-matched',
      licence: 'SM-C-1003',
      couponRejected: 'already-used',
      deadline: '2026-01-07T15:00:00+01:00',
      why: 'Sat 3 Jan off; Mon 5 9h; Tue 6 (Epiphany, state-only) 9h (18); Wed 7 09:00+6h = 15:00 (24h)',
    },
    {
      name: 'expired Premium with its own coupon: non-commercial, coupon refused, over Easter',
      from: 'erin@delta.example',
      at: '2026-04-01T10:00:00+02:00',
      subject: 'VIP-DELTA-2024-A please',
      level: 'non-commercial',
      reason: 'support-expired',
      licence: 'SM-C-0999',
      couponRejected: 'licence-expired',
      deadline: '2026-04-10T13:00:00+02:00',
      why: 'Wed 1 Apr 10-18 8h; Thu 2 9h (17); Fri 3 Karfreitag; Mon 6 Ostermontag; Tue 7 (26); Wed 8 (35); Thu 9 (44); Fri 10 09:00+4h = 13:00 (48h)',
    },
    {
      name: 'partner by *.domain, start on 1 May',
      from: 'anna@eu.webstudio.example',
      at: '2026-05-01T12:00:00+02:00',
      level: 'partner',
      reason: 'licence-matched',
      licence: 'SM-P-0001',
      deadline: '2026-05-06T15:00:00+02:00',
      why: 'Fri 1 May holiday; Mon 4 9h; Tue 5 9h (18); Wed 6 09:00+6h = 15:00 (24h)',
    },
    {
      name: 'unknown sender at the bare parent of a *.domain licence, across New Year 2025/26',
      from: 'info@webstudio.example',
      at: '2025-12-29T16:00:00+01:00',
      level: 'non-commercial',
      reason: 'no-licence',
      licence: null,
      deadline: '2026-01-07T10:00:00+01:00',
      why: 'Mon 29 16-18 2h; Tue 30 9h (11); Wed 31 (2025: not closed) 9h (20); Thu 1 Jan Neujahr; Fri 2 (29); Mon 5 (38); Tue 6 (47); Wed 7 09:00+1h = 10:00 (48h)',
    },
    {
      name: "another licence's coupon is refused, commercial 24h across the October DST change",
      from: 'ann@acme.example',
      at: '2026-10-23T15:00:00+02:00',
      subject: 'urgent VIP-GAMMA-2026-B',
      level: 'commercial',
      reason: 'licence-matched',
      licence: 'SM-C-1001',
      couponRejected: 'other-licence',
      deadline: '2026-10-28T12:00:00+01:00',
      why: 'Fri 15-18 3h; [25 Oct CEST->CET] Mon 26 9h (12); Tue 27 9h (21); Wed 28 09:00+3h = 12:00 CET (24h)',
    },
    {
      name: 'unknown sender quoting a coupon on Saturday night: refused, non-commercial',
      from: 'stranger@example.org',
      at: '2026-06-13T23:00:00+02:00',
      body: 'VIP-OMEGA-2026-3',
      level: 'non-commercial',
      reason: 'no-licence',
      licence: null,
      couponRejected: 'no-licence',
      deadline: '2026-06-22T12:00:00+02:00',
      why: 'Sat/Sun off; Mon 15 - Fri 19 Jun 5 x 9h = 45h; Mon 22 09:00+3h = 12:00 (48h)',
    },
    {
      name: 'demo copy before Christmas 2026: 24 Dec is a business day',
      from: 'trial@example.com',
      at: '2026-12-17T11:00:00+01:00',
      level: 'non-commercial',
      reason: 'no-rule',
      licence: 'SM-DEMO-0001',
      deadline: '2026-12-24T14:00:00+01:00',
      why: 'Thu 17 11-18 7h; Fri 18 (16); Mon 21 (25); Tue 22 (34); Wed 23 (43); Thu 24 Dec (an official working day) 09:00+5h = 14:00 (48h)',
    },
  ]);

  // Table 2.6: non-commercial support lasts 30 days. SM-NC-0001 starts on 2 Nov 2026, so its 30th and
  // last day is 1 Dec; from 2 Dec (Berlin date) it is a licence whose support has ended, which gets
  // the fallback level and an acknowledgement that says so.
  requestTable(p, [
    {
      name: 'non-commercial licence on the 30th day of its support window, late evening',
      from: 'it@school-example.example',
      at: '2026-12-01T23:30:00+01:00',
      level: 'non-commercial',
      reason: 'no-rule',
      licence: 'SM-NC-0001',
      supportUntil: '2026-12-01',
      deadline: '2026-12-09T12:00:00+01:00',
      why: 'support_from 2 Nov + 29 days = 1 Dec, active; Tue 23:30 after hours; Wed 2 9h; Thu 3 (18); Fri 4 (27); Mon 7 (36); Tue 8 (45); Wed 9 09:00+3h = 12:00 (48h)',
    },
    {
      name: 'the same licence after its 30 days: support ended, the fallback level',
      from: 'it@school-example.example',
      at: '2026-12-02T00:30:00+01:00',
      level: p.config.selection.fallback_level,
      reason: 'support-expired',
      licence: 'SM-NC-0001',
      supportUntil: '2026-12-01',
      deadline: '2026-12-09T12:00:00+01:00',
      why: '2 Dec is day 31: expired; ack says support ended on 2026-12-01; Wed 2 Dec 00:30 -> 09:00; 5 x 9h = 45h to Tue 8; Wed 9 09:00+3h = 12:00 (48h)',
    },
    {
      name: 'a demo copy has the same 30 days',
      from: 'trial@example.com',
      at: '2027-01-01T10:00:00+01:00',
      level: p.config.selection.fallback_level,
      reason: 'support-expired',
      licence: 'SM-DEMO-0001',
      supportUntil: '2026-12-30',
      deadline: '2027-01-11T12:00:00+01:00',
      why: 'support_from 1 Dec 2026 + 29 days = 30 Dec; Fri 1 Jan Neujahr; Mon 4 - Fri 8 5 x 9h = 45h; Mon 11 09:00+3h = 12:00 (48h)',
    },
  ]);

  levelTable(p, [
    {
      name: 'development, 14 calendar days from a Saturday night across the October DST change',
      level: 'development',
      start: '2026-10-17T22:00:00+02:00',
      deadline: '2026-10-31T22:00:00+01:00',
      why: '17 Oct + 14 days = 31 Oct (a Saturday, not moved), same wall time 22:00, now CET',
    },
    {
      name: 'non-product 72h over Christmas and New Year 2026/27',
      level: 'non-product',
      start: '2026-12-22T10:00:00+01:00',
      deadline: '2027-01-05T10:00:00+01:00',
      why: 'Tue 22 10-18 8h; Wed 23 (17); Thu 24 (26); 25, 26 holidays; Mon 28 (35); Tue 29 (44); Wed 30 (53); Thu 31 (62); 1 Jan holiday; Mon 4 (71); Tue 5 09:00+1h = 10:00 (72h)',
    },
  ]);

  everyLevelIsSane(p, 'berlin');
});

import { describe } from 'vitest';
import { everyLevelIsSane, levelTable, loadProfile, requestTable } from './helpers.js';

// Seed 002 (1C-Bitrix): Moscow (+03:00 all year, no DST) Mon-Fri 09:00-13:00 and 14:00-18:00 = 8 h.
// Russian production calendar (decree 1335 of 2024 for 2025, decree 1466 of 2025 for 2026):
//   2025: off 1-8 Jan, 1-2 May, 8-9 May, 12-13 Jun, 3-4 Nov, 31 Dec; Sat 1 Nov worked (7 h);
//         shortened (-1 h): 7 Mar, 30 Apr, 11 Jun, 1 Nov. Only those four.
//   2026: off 1-9 Jan, 23 Feb, 9 Mar, 1 May, 11 May, 12 Jun, 4 Nov, 31 Dec;
//         shortened: 30 Apr, 8 May, 11 Jun, 3 Nov.
// A shortened day here is 09:00-13:00, 14:00-17:00.
const MAY_7_BUG =
  'calendars.yaml lists 2025-05-07 as shortened, but 8 May 2025 is a transferred day off, not a public holiday; ' +
  'the official 2025 calendar has four shortened days (7 Mar, 30 Apr, 11 Jun, 1 Nov) and 7 May is a full day';

describe('profile 002-1c-bitrix', () => {
  const p = loadProfile('002-1c-bitrix');

  requestTable(p, [
    {
      name: 'urgent commercial into the transferred working Saturday 1 Nov 2025',
      from: 'admin@romashka.example',
      at: '2025-10-31T17:00:00+03:00',
      subject: '[СРОЧНО] Сайт недоступен',
      level: 'commercial-urgent',
      reason: 'urgent',
      licence: '1CB-C-1001',
      deadline: '2025-11-01T12:00:00+03:00',
      why: 'Fri 17-18 1h; Sat 1 Nov (worked) 09:00+3h = 12:00 (4h)',
    },
    {
      name: 'VIP from the end of the shortened transferred Saturday over the 2-4 Nov break',
      from: 'portal@omega-holding.example',
      at: '2025-11-01T16:30:00+03:00',
      level: 'vip',
      reason: 'licence-matched',
      licence: '1CB-C-1003',
      deadline: '2025-11-05T10:30:00+03:00',
      why: 'Sat 1 Nov 16:30-17:00 (shortened) 0.5h; Sun 2; Mon 3 transferred off; Tue 4 holiday; Wed 5 09:00+1.5h = 10:30 (2h)',
    },
    {
      name: 'commercial standard on the shortened 30 Apr 2026 with the lunch break',
      from: 'shop@baltic-goods.example',
      at: '2026-04-30T12:00:00+03:00',
      level: 'commercial-standard',
      reason: 'licence-matched',
      licence: '1CB-C-1004',
      deadline: '2026-05-04T11:00:00+03:00',
      why: 'Thu 30 Apr 12-13 1h, 14-17 3h (4); Fri 1 May holiday; Sat/Sun; Mon 4 09:00+2h = 11:00 (6h)',
    },
    {
      name: 'partner standard across New Year: 31 Dec 2025 and 9 Jan 2026 transferred days off',
      from: 'director@webstudio-primer.example',
      at: '2025-12-30T15:00:00+03:00',
      level: 'partner-standard',
      reason: 'licence-matched',
      licence: '1CB-P-0001',
      deadline: '2026-01-12T11:00:00+03:00',
      why: 'Tue 30 Dec 15-18 3h; Wed 31 off; 1-8 Jan holidays; Fri 9 off (from 3 Jan); Sat/Sun 10-11; Mon 12 09:00+2h = 11:00 (5h)',
    },
    {
      name: 'unknown sender, 24 working hours across New Year',
      from: 'nobody@mail.example',
      at: '2025-12-29T10:00:00+03:00',
      level: 'non-commercial',
      reason: 'no-licence',
      licence: null,
      deadline: '2026-01-13T10:00:00+03:00',
      why: 'Mon 29 10-13 3h + 14-18 4h (7); Tue 30 8h (15); 31 Dec - 11 Jan off; Mon 12 8h (23); Tue 13 09:00+1h = 10:00 (24h)',
    },
    {
      name: 'urgent marker in lower case from a *.domain address, start on 9 Mar 2026 (8 Mar moved)',
      from: 'sales@msk.gamma-trade.example',
      at: '2026-03-09T11:00:00+03:00',
      subject: '[срочно] Не работает корзина',
      level: 'commercial-urgent',
      reason: 'urgent',
      licence: '1CB-C-1002',
      deadline: '2026-03-10T13:00:00+03:00',
      why: 'Mon 9 Mar off (8 Mar fell on Sunday); Tue 10 09:00+4h = 13:00, the start of lunch (4h)',
    },
    {
      name: 'Enterprise VIP, urgent marker changes nothing; Moscow unaffected by the March DST change',
      from: 'portal@omega-holding.example',
      at: '2026-03-27T17:00:00+03:00',
      subject: '[СРОЧНО] портал',
      level: 'vip',
      reason: 'licence-matched',
      licence: '1CB-C-1003',
      deadline: '2026-03-30T10:00:00+03:00',
      why: 'Fri 17-18 1h; (Berlin changes 29 Mar, Moscow stays +03:00) Mon 30 09:00+1h = 10:00 (2h) = 07:00Z',
    },
    {
      name: 'Enterprise VIP, Moscow unaffected by the October DST change',
      from: 'cio@omega-holding.example',
      at: '2026-10-23T17:30:00+03:00',
      level: 'vip',
      reason: 'licence-matched',
      licence: '1CB-C-1003',
      deadline: '2026-10-26T10:30:00+03:00',
      why: 'Fri 17:30-18 0.5h; (Berlin changes 25 Oct) Mon 26 09:00+1.5h = 10:30 +03:00 (2h)',
    },
    {
      name: 'expired licence after hours across 23 Feb',
      from: 'info@delta.example',
      at: '2026-02-18T19:00:00+03:00',
      level: 'non-commercial',
      reason: 'support-expired',
      licence: '1CB-C-0999',
      deadline: '2026-02-24T18:00:00+03:00',
      why: 'Wed 19:00 after hours; Thu 19 8h; Fri 20 8h (16); Sat 21, Sun 22, Mon 23 holiday; Tue 24 09-13 4h (20) + 14-18 4h (24) = 18:00',
    },
    {
      name: 'NFR Enterprise: urgent marker ignored, start on 11 May 2026 (9 May moved)',
      from: 'dev@nfr.webstudio-primer.example',
      at: '2026-05-11T10:00:00+03:00',
      subject: '[СРОЧНО] test',
      level: 'non-commercial',
      reason: 'no-rule',
      licence: '1CB-NFR-0001',
      deadline: '2026-05-14T18:00:00+03:00',
      why: 'Mon 11 May off; Tue 12 8h; Wed 13 8h (16); Thu 14 8h (24) = 18:00',
    },
    {
      name: 'partner urgent sent during the lunch break',
      from: 'manager@webstudio-primer.example',
      at: '2026-06-10T13:20:00+03:00',
      subject: '[СРОЧНО] сайт лежит',
      level: 'partner-urgent',
      reason: 'urgent',
      licence: '1CB-P-0001',
      deadline: '2026-06-10T17:00:00+03:00',
      why: 'Wed 13:20 in lunch -> counts from 14:00; 14:00+3h = 17:00 (3h)',
    },
    {
      name: 'commercial standard on Wed 7 May 2025, a full working day',
      from: 'admin@romashka.example',
      at: '2025-05-07T14:00:00+03:00',
      level: 'commercial-standard',
      reason: 'licence-matched',
      licence: '1CB-C-1001',
      deadline: '2025-05-12T11:00:00+03:00',
      why: 'Wed 7 May 14-18 4h; Thu 8 off (from 23 Feb); Fri 9 holiday; Sat/Sun; Mon 12 09:00+2h = 11:00 (6h). The profile gives 12:00 (7 May ending 17:00).',
    },
  ]);

  levelTable(p, [
    {
      name: 'general consultation 40h across the shortened 11 Jun and 12 Jun 2026',
      level: 'consultation',
      start: '2026-06-10T15:00:00+03:00',
      deadline: '2026-06-18T16:00:00+03:00',
      why: 'Wed 10 15-18 3h; Thu 11 shortened 7h (10); Fri 12 holiday; Sat/Sun; Mon 15 (18); Tue 16 (26); Wed 17 (34); Thu 18 09-13 4h (38) + 14:00+2h = 16:00 (40h)',
    },
  ]);

  everyLevelIsSane(p, 'moscow');
});

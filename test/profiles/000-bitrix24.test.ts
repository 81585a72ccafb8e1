import { describe, expect, it } from 'vitest';
import { deadlineOnCalendar, everyLevelIsSane, levelTable, loadProfile, requestTable } from './helpers.js';

// Seed 000 (Bitrix24): HelpDesk Mon-Fri 09:00-18:00 Europe/Berlin = 9 h a day; nationwide German
// public holidays (Neujahr, Karfreitag, Ostermontag, 1 Mai, Christi Himmelfahrt, Pfingstmontag,
// 3 Okt, 25/26 Dez) off. 24 and 31 December are official working days, so business days (seed 000,
// note to 2.6). State-only holidays (6 Jan, Fronleichnam, Reformationstag ...) are working days.
// Berlin: CET +01:00, CEST +02:00; changes 2025-03-30, 2025-10-26, 2026-03-29, 2026-10-25.
describe('profile 000-bitrix24', () => {
  const p = loadProfile('000-bitrix24');

  requestTable(p, [
    {
      name: 'commercial cloud, start on a Sunday (Rosenmontag is not a holiday)',
      from: 'carol@gamma.example',
      at: '2026-02-15T11:00:00+01:00',
      level: 'commercial-cloud',
      reason: 'licence-matched',
      licence: 'B24-C-1002',
      deadline: '2026-02-17T16:00:00+01:00',
      why: 'Sun off; Mon 16 Feb 9h; Tue 17 09:00+7h = 16:00 (16h)',
    },
    {
      name: 'partner cloud across Tag der Deutschen Einheit',
      from: 'team@cloudsmiths.example',
      at: '2025-10-02T15:00:00+02:00',
      level: 'partner-cloud',
      reason: 'licence-matched',
      licence: 'B24-P-0002',
      deadline: '2025-10-07T13:00:00+02:00',
      why: 'Thu 15-18 3h; Fri 3 Oct public holiday; Mon 6 9h (12); Tue 7 09:00+4h = 13:00 (16h)',
    },
    {
      name: 'commercial self-hosted, start on a public holiday (Christi Himmelfahrt)',
      from: 'ann@acme.example',
      at: '2026-05-14T10:00:00+02:00',
      level: 'commercial-self-hosted',
      reason: 'licence-matched',
      licence: 'B24-C-1001',
      deadline: '2026-05-19T15:00:00+02:00',
      why: 'Thu 14 May holiday; Fri 15 9h; Mon 18 9h (18); Tue 19 09:00+6h = 15:00 (24h)',
    },
    {
      name: 'partner by *.domain, after hours; Fronleichnam is state-only so worked',
      from: 'Dev Team <dev-team@dev.northwind.example>',
      at: '2026-06-02T19:30:00+02:00',
      level: 'partner-self-hosted',
      reason: 'licence-matched',
      licence: 'B24-P-0001',
      deadline: '2026-06-05T15:00:00+02:00',
      why: 'Tue 19:30 after hours -> Wed 3 Jun 09:00; Wed 9h; Thu 4 (Fronleichnam, not national) 9h (18); Fri 5 09:00+6h = 15:00 (24h)',
    },
    {
      name: 'unknown sender across the March DST change',
      from: 'nobody@unknown.example',
      at: '2026-03-26T14:00:00+01:00',
      level: 'non-commercial-self-hosted',
      reason: 'no-licence',
      licence: null,
      deadline: '2026-04-02T17:00:00+02:00',
      why: 'Thu 14-18 4h; Fri 27 9h (13); [29 Mar CET->CEST] Mon 30 9h (22); Tue 31 9h (31); Wed 1 Apr 9h (40); Thu 2 Apr 09:00+8h = 17:00 CEST (48h)',
    },
    {
      name: 'expired licence falls back to non-commercial, across the October DST change and Reformationstag',
      from: 'erin@delta.example',
      at: '2025-10-24T16:30:00+02:00',
      level: 'non-commercial-self-hosted',
      reason: 'support-expired',
      licence: 'B24-C-0999',
      deadline: '2025-11-03T10:30:00+01:00',
      why: 'Fri 16:30-18 1.5h; [26 Oct CEST->CET] Mon 27 9h (10.5); Tue 28 (19.5); Wed 29 (28.5); Thu 30 (37.5); Fri 31 Reformationstag, state-only, 9h (46.5); Mon 3 Nov 09:00+1.5h = 10:30 CET (48h)',
    },
    {
      name: 'partner across New Year 2026/27: 31 Dec is a business day; lands on 18:00',
      from: 'projects@northwind.example',
      at: '2026-12-29T12:00:00+01:00',
      level: 'partner-self-hosted',
      reason: 'licence-matched',
      licence: 'B24-P-0001',
      deadline: '2026-12-31T18:00:00+01:00',
      why: 'Tue 29 12-18 6h; Wed 30 9h (15); Thu 31 Dec (an official working day) 09:00+9h = 18:00, interval end (24h)',
    },
    {
      name: 'commercial cloud over Christmas 2026: 24 Dec is a business day',
      from: 'dave@gamma.example',
      at: '2026-12-23T14:00:00+01:00',
      level: 'commercial-cloud',
      reason: 'licence-matched',
      licence: 'B24-C-1002',
      deadline: '2026-12-28T12:00:00+01:00',
      why: 'Wed 23 14-18 4h; Thu 24 Dec (an official working day) 9h (13); Fri 25, Sat 26 holidays; Sun; Mon 28 09:00+3h = 12:00 (16h)',
    },
    {
      name: 'expired cloud across New Year 2025/26 (31 Dec 2025 worked, 6 Jan state-only)',
      from: 'frank@epsilon.example',
      at: '2025-12-31T10:00:00+01:00',
      level: 'non-commercial-cloud',
      reason: 'support-expired',
      licence: 'B24-C-0998',
      deadline: '2026-01-06T15:00:00+01:00',
      why: 'Wed 31 Dec 2025 (not closed in the profile) 10-18 8h; Thu 1 Jan Neujahr; Fri 2 9h (17); Mon 5 9h (26); Tue 6 (Epiphany, state-only) 09:00+6h = 15:00 (32h)',
    },
    {
      name: 'demo cloud copy, start before hours on Pfingstmontag',
      from: 'trial@example.com',
      at: '2026-05-25T08:00:00+02:00',
      level: 'non-commercial-cloud',
      // The demo licence matched the cloud rule, whose level is not the fallback level.
      reason: 'licence-matched',
      licence: 'B24-DEMO-0001',
      deadline: '2026-05-29T14:00:00+02:00',
      why: 'Mon 25 May Pfingstmontag; Tue 26 9h; Wed 27 9h (18); Thu 28 9h (27); Fri 29 09:00+5h = 14:00 (32h)',
    },
    {
      name: 'NFR copy, address in mixed case, start exactly at 09:00',
      from: 'Lab <LAB@Northwind-Lab.Example>',
      at: '2026-07-06T09:00:00+02:00',
      level: 'non-commercial-self-hosted',
      reason: 'no-rule',
      licence: 'B24-NFR-0001',
      deadline: '2026-07-13T12:00:00+02:00',
      why: 'Mon 6 - Fri 10 Jul 5 x 9h = 45h; Mon 13 09:00+3h = 12:00 (48h)',
    },
  ]);

  levelTable(p, [
    {
      name: 'development, 14 calendar days across the March DST change, ends on Good Friday (not moved)',
      level: 'development',
      start: '2026-03-20T11:00:00+01:00',
      deadline: '2026-04-03T11:00:00+02:00',
      why: '20 Mar + 14 days = 3 Apr, same wall time 11:00, now CEST',
    },
    {
      name: 'development, 14 calendar days across the October DST change',
      level: 'development',
      start: '2026-10-20T09:30:00+02:00',
      deadline: '2026-11-03T09:30:00+01:00',
      why: '20 Oct + 14 days = 3 Nov, same wall time 09:30, now CET',
    },
    {
      name: 'non-product 72h across 1 May',
      level: 'non-product',
      start: '2026-04-24T17:00:00+02:00',
      deadline: '2026-05-07T17:00:00+02:00',
      why: 'Fri 24 1h; Mon 27 (10); Tue 28 (19); Wed 29 (28); Thu 30 (37); Fri 1 May holiday; Mon 4 (46); Tue 5 (55); Wed 6 (64); Thu 7 09:00+8h = 17:00 (72h)',
    },
  ]);

  // Seed 000 says "9:00AM and 6:00PM CET". The profile counts in Europe/Berlin local time and offers
  // a fixed-CET calendar (Etc/GMT-1) beside it; across the October change they differ by an hour.
  describe('CET read as Berlin local time or as fixed UTC+1', () => {
    const start = '2026-10-23T16:00:00+02:00';
    it('the calendars are what their comments say', () => {
      expect(p.levels.calendars.get('berlin')?.zone).toBe('Europe/Berlin');
      expect(p.levels.calendars.get('cet')?.zone).toBe('Etc/GMT-1');
      expect(p.levels.level('commercial-cloud').calendar).toBe(p.levels.calendars.get('berlin'));
    });
    it('Europe/Berlin: 9:00-18:00 on the office clock, CEST before the change and CET after', () => {
      // Fri 16-18 2h; [25 Oct CEST->CET] Mon 26 9h (11); Tue 27 09:00+5h = 14:00 CET (16h)
      expect(deadlineOnCalendar(p, 'commercial-cloud', 'berlin', start, 'Europe/Berlin')).toBe('2026-10-27T14:00:00+01:00');
    });
    it('Etc/GMT-1: 9:00-18:00 UTC+1 all year, 10:00-19:00 on a Berlin clock in summer', () => {
      // 16:00 CEST = 15:00 UTC+1: Fri 15-18 3h; Mon 26 9h (12); Tue 27 09:00+4h = 13:00 UTC+1 (16h)
      expect(deadlineOnCalendar(p, 'commercial-cloud', 'cet', start, 'Europe/Berlin')).toBe('2026-10-27T13:00:00+01:00');
    });
  });

  everyLevelIsSane(p, 'berlin');
});

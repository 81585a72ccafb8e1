/**
 * Deadline throughput: a 24-working-hour response on a Berlin calendar (Mon-Fri 09:00-18:00, German
 * public holidays plus explicit ones) from many start instants spread over two years.
 * Run: npx tsc -p tsconfig.json && node dist/bench/deadline.js
 */
import { parseTimeRange } from '../src/core/calendar/time-range.js';
import { compileCalendar } from '../src/core/calendar/working-calendar.js';
import { computeDeadline, type ResponseTerm } from '../src/core/calendar/deadline.js';
import { holidayLibrary } from '../src/config/holiday-library.js';

const workday = [parseTimeRange('09:00-18:00')];
const cal = compileCalendar({
  key: 'berlin',
  zone: 'Europe/Berlin',
  week: { mon: workday, tue: workday, wed: workday, thu: workday, fri: workday },
  holidays: new Map([
    ['2025-12-24', 'Heiligabend'],
    ['2025-12-31', 'Silvester'],
    ['2026-12-24', 'Heiligabend'],
    ['2026-12-31', 'Silvester'],
  ]),
  publicHolidays: { country: 'DE' },
  extraWorking: new Map(),
  shortened: new Map([['2026-12-23', [parseTimeRange('09:00-17:00')]]]),
}, holidayLibrary);
const term: ResponseTerm = { clock: 'business', minutes: 24 * 60 };

const FROM = Date.parse('2025-01-01T00:00:00Z');
const SPAN = Date.parse('2027-01-01T00:00:00Z') - FROM;
const STARTS = 1 << 20;
const starts = new Float64Array(STARTS);
// A fixed seed so runs are comparable; ms-resolution starts, like real arrival times, hit every part of a day.
let seed = 0x2545f491;
for (let i = 0; i < STARTS; i++) {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  starts[i] = FROM + Math.floor((seed / 2 ** 32) * SPAN);
}

function run(count: number): number {
  let checksum = 0;
  for (let i = 0; i < count; i++) checksum += computeDeadline(starts[i & (STARTS - 1)]!, term, cal) % 1000;
  return checksum;
}

const coldStart = process.hrtime.bigint();
run(STARTS); // first pass fills the day cache for the whole span (luxon + date-holidays)
const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;

const N = 4_000_000;
const t0 = process.hrtime.bigint();
const checksum = run(N);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

const rate = Math.round(N / seconds);
console.log(`deadline: ${rate.toLocaleString('en-US')} computations/s (${N.toLocaleString('en-US')} in ${seconds.toFixed(2)} s; warm-up pass of ${STARTS.toLocaleString('en-US')} incl. cache fill ${coldMs.toFixed(0)} ms)`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
if (Number.isNaN(checksum)) process.exitCode = 1;

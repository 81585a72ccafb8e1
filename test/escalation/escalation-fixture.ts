import { BASE_FILES } from '../config/config-fixture.js';
import type { Desk } from '../ingest/ingest-fixture.js';
import { openStaffDesk, outbox, type OutboxRow } from '../ingest/staff-fixture.js';
import { runEscalationScan, type ScanResult } from '../../src/escalation/escalation-scan.js';

/**
 * The fixture levels with escalation rules: commercial (24 business hours, Berlin 9-18) warns the
 * assignee and the staff at 75 %, and at 100 % tells the assignee and the supervisor, again every 4
 * business hours, twice at most. Non-commercial only has a breach notice.
 */
export const ESCALATION_LEVELS = BASE_FILES['levels.yaml']!.replace(
  `    response: 24h
    clock: business
    calendar: berlin
`,
  `    response: 24h
    clock: business
    calendar: berlin
    escalate:
      - { at: 75%, notify: [assignee, staff] }
      - { at: 100%, notify: [assignee, supervisor], repeat_every: 4h, max_repeats: 2 }
`,
).replace(
  `    response: 48h
    clock: business
    calendar: berlin
`,
  `    response: 48h
    clock: business
    calendar: berlin
    escalate:
      - { at: 100%, notify: [staff] }
  development:
    name: { en: Development }
    response: 14d
    clock: calendar-days
    calendar: berlin
`,
);

export function openEscalationDesk(startIso: string, extra: Record<string, string | null> = {}): Desk {
  return openStaffDesk({ 'levels.yaml': ESCALATION_LEVELS, ...extra }, startIso);
}

export type ScanCounts = Omit<ScanResult, 'sentByThreshold'>;

/** The counts of a scan; the per-threshold split is checked where it matters. */
export function countsOf(r: ScanResult): ScanCounts {
  const { sentByThreshold: _split, ...counts } = r;
  return counts;
}

export function scanAt(d: Desk, iso: string): ScanCounts {
  d.clock.now = Date.parse(iso);
  return countsOf(runEscalationScan(d.deps, d.clock.now));
}

export function notices(d: Desk, tid?: number): OutboxRow[] {
  return outbox(d, 'escalation').filter((r) => tid === undefined || r.ticketId === tid);
}

export function thresholds(d: Desk, tid?: number): string[] {
  return notices(d, tid).map((r) => r.mail.headers?.['X-Tidings-Threshold'] ?? '?');
}

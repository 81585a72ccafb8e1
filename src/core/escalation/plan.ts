import { addWorkingTime } from '../calendar/add-working-time.js';
import { thresholdInstant, type ResponseTerm } from '../calendar/deadline.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { parseDuration } from '../duration.js';

export type NotifyTarget = 'assignee' | 'staff' | 'supervisor';

/** One `levels.<key>.escalate[]` entry as configured. */
export interface EscalationRule {
  /** "75%", "100%" */
  at: string;
  notify: readonly NotifyTarget[];
  /** Re-notify every N of the clock's own time (business hours on a business clock) after the threshold. */
  repeat_every?: string | undefined;
  max_repeats: number;
}

export interface PlannedNotice {
  /** "75%", "100%", "100%+1" (the first repeat of 100%) ... unique within a clock cycle. */
  threshold: string;
  dueAt: number;
}

const MINUTE_MS = 60_000;

/** "75%" → 0.75 */
export function percentFraction(at: string): number {
  return Number(at.replace('%', '').trim()) / 100;
}

/** The threshold label of the k-th repeat of a rule (k = 0: the threshold itself). */
export function thresholdLabel(at: string, repeat: number): string {
  return repeat === 0 ? at : `${at}+${repeat}`;
}

/** Splits "100%+2" into the rule's "at" and the repeat number. */
export function parseThresholdLabel(label: string): { at: string; repeat: number } {
  const m = /^(.+%)(?:\+(\d+))?$/.exec(label);
  if (!m) return { at: label, repeat: 0 };
  return { at: m[1]!, repeat: m[2] === undefined ? 0 : Number(m[2]) };
}

/**
 * Every notice of one clock cycle, computed once when the cycle starts (or its deadline is
 * recomputed), so the escalation scan only reads due rows through an index. Repeats are placed in
 * the clock's own time: "every 4h" on a business clock means 4 working hours.
 */
export function planNotices(
  rules: readonly EscalationRule[],
  clock: { startMs: number; deadlineMs: number; term: ResponseTerm; calendar: WorkingCalendar | undefined },
): PlannedNotice[] {
  const out: PlannedNotice[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const first = thresholdInstant(clock.startMs, clock.deadlineMs, percentFraction(rule.at), clock.term, clock.calendar);
    const push = (threshold: string, dueAt: number): void => {
      if (seen.has(threshold)) return;
      seen.add(threshold);
      out.push({ threshold, dueAt });
    };
    push(rule.at, first);
    if (rule.repeat_every === undefined || rule.max_repeats <= 0) continue;
    const stepMs = parseDuration(rule.repeat_every).minutes * MINUTE_MS;
    for (let k = 1; k <= rule.max_repeats; k++) {
      const due =
        clock.term.clock === 'business' && clock.calendar !== undefined ? addWorkingTime(first, k * stepMs, clock.calendar) : first + k * stepMs;
      push(thresholdLabel(rule.at, k), due);
    }
  }
  return out.sort((a, b) => a.dueAt - b.dueAt || a.threshold.localeCompare(b.threshold));
}

/** The rule a stored threshold label belongs to; undefined when the config no longer has it. */
export function ruleForThreshold(rules: readonly EscalationRule[], label: string): EscalationRule | undefined {
  const { at, repeat } = parseThresholdLabel(label);
  const rule = rules.find((r) => r.at === at);
  if (!rule) return undefined;
  if (repeat > 0 && (rule.repeat_every === undefined || repeat > rule.max_repeats)) return undefined;
  return rule;
}

/**
 * Of the due notices of one (ticket, cycle), which to send: only the latest one. After downtime the
 * 75% warning, the breach and two repeats may all be due at once; the staff need the one that says
 * where the ticket stands now, the others are superseded.
 */
export function pickLatest<T extends { dueAt: number; threshold: string }>(due: readonly T[]): { send: T | undefined; superseded: T[] } {
  if (due.length === 0) return { send: undefined, superseded: [] };
  const sorted = [...due].sort((a, b) => a.dueAt - b.dueAt || percentFraction(parseThresholdLabel(a.threshold).at) - percentFraction(parseThresholdLabel(b.threshold).at));
  return { send: sorted.at(-1), superseded: sorted.slice(0, -1) };
}

export interface StaffDirectoryEntry {
  key: string;
  email: string;
  roles: readonly string[];
}

/**
 * Recipients of a notice: the assignee (when there is one), the staff group (its shared address,
 * else every agent), the supervisors. An unassigned ticket's "assignee" falls back to the staff
 * group, so a notice meant for the owner still reaches someone who can take it.
 */
export function escalationRecipients(
  notify: readonly NotifyTarget[],
  staff: { members: readonly StaffDirectoryEntry[]; group?: string | undefined },
  assignee: string | null,
): string[] {
  const out = new Set<string>();
  const group = (): string[] =>
    staff.group ? [staff.group] : staff.members.filter((m) => m.roles.includes('agent')).map((m) => m.email);
  for (const target of notify) {
    if (target === 'assignee') {
      const member = assignee ? staff.members.find((m) => m.key === assignee) : undefined;
      for (const a of member ? [member.email] : group()) out.add(a.toLowerCase());
    } else if (target === 'staff') {
      for (const a of group()) out.add(a.toLowerCase());
    } else {
      for (const m of staff.members) if (m.roles.includes('supervisor')) out.add(m.email.toLowerCase());
    }
  }
  return [...out];
}

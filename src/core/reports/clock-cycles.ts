/**
 * A ticket's response clock cycles, rebuilt from its audit trail in event order. The ticket row
 * keeps only the running cycle; the events keep every start, level change, answer and stop, which
 * is what a report of every cycle needs.
 *
 * A cycle starts with the ticket or with a client message after an answer (or on a closed or
 * waiting ticket); its first public staff answer ends it. #pending and #close stop it without an
 * answer. A level change while it runs restarts its clock with the new level's deadline (DESIGN §2
 * "Clock"), so the cycle is judged against the deadline in force when it ended.
 */
export type CycleEvent =
  /** The clock starts: the ticket's first message (with its level) or a later one that opens a new cycle. */
  | { kind: 'start'; clockStart: number; dueAt: number; level?: string | undefined }
  /** The ticket's level changed; `dueAt` is set when the change moved a running clock. */
  | { kind: 'level'; at: number; level: string; dueAt: number | null }
  /** A public staff answer. */
  | { kind: 'answer'; at: number }
  /** The clock stopped without an answer (#pending, #close). */
  | { kind: 'stop'; at: number };

export interface ClockCycle {
  level: string;
  /** Where the clock of this cycle last (re)started: the client's message, or a level change. */
  clockStart: number;
  dueAt: number;
  answeredAt: number | null;
  /** Stopped without an answer; null when answered or still running. */
  stoppedAt: number | null;
}

/** How a cycle stands at `now`. */
export type CycleOutcome =
  /** Answered at or before its deadline. */
  | 'within'
  /** Answered after its deadline. */
  | 'late'
  /** Unanswered and its deadline has passed (still running, or stopped after the deadline). */
  | 'overdue'
  /** Unanswered, still running, deadline not yet reached: no verdict yet. */
  | 'open'
  /** Stopped without an answer before its deadline (#pending, #close): no miss. */
  | 'stopped';

export function clockCycles(events: readonly CycleEvent[]): ClockCycle[] {
  const out: ClockCycle[] = [];
  let level: string | undefined;
  let running: ClockCycle | undefined;
  for (const e of events) {
    switch (e.kind) {
      case 'start':
        level = e.level ?? level;
        // A start while a cycle runs cannot come from ingest (more mail while waiting changes
        // nothing); if the trail says so anyway, the older cycle is left as it stands.
        running = { level: level ?? '', clockStart: e.clockStart, dueAt: e.dueAt, answeredAt: null, stoppedAt: null };
        out.push(running);
        break;
      case 'level':
        level = e.level;
        if (running !== undefined && e.dueAt !== null) {
          running.level = e.level;
          running.clockStart = e.at;
          running.dueAt = e.dueAt;
        }
        break;
      case 'answer':
        if (running !== undefined) running.answeredAt = e.at;
        running = undefined;
        break;
      case 'stop':
        if (running !== undefined) running.stoppedAt = e.at;
        running = undefined;
        break;
    }
  }
  return out;
}

export function cycleOutcome(c: ClockCycle, now: number): CycleOutcome {
  if (c.answeredAt !== null) return c.answeredAt <= c.dueAt ? 'within' : 'late';
  const end = c.stoppedAt ?? now;
  if (end > c.dueAt) return 'overdue';
  return c.stoppedAt === null ? 'open' : 'stopped';
}

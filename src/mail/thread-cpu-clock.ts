import { readFileSync, readlinkSync } from 'node:fs';

/**
 * The CPU time one thread has spent, readable from another thread: a thread that is waiting
 * for a core on a busy machine, or blocked, does not advance it, so it tells a slow parse from an
 * endless one where wall time cannot. Linux exposes it per thread under /proc; elsewhere there is
 * no such clock and the callers fall back to what they have.
 */

/** The kernel's id of the calling thread, for threadCpuMs from another thread; undefined off Linux. */
export function currentKernelThreadId(): number | undefined {
  try {
    // "<pid>/task/<tid>" for the thread that reads the link.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds thread `tid` of this process has run on a CPU; undefined when it cannot be read (gone, not Linux). */
function threadCpuMs(tid: number): number | undefined {
  try {
    // The first field of schedstat is the time on a CPU in nanoseconds (no USER_HZ rounding, unlike stat).
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A clock of thread `tid`'s CPU time in ms, or undefined when it cannot be read here. Once the
 * thread is gone the clock keeps its last reading (whoever held the thread learns of its exit).
 */
export function threadCpuClock(tid: number): (() => number) | undefined {
  let last = threadCpuMs(tid);
  if (last === undefined) return undefined;
  return () => (last = threadCpuMs(tid) ?? last!);
}

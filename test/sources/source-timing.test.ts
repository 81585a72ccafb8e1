import { afterEach, describe, expect, it, vi } from 'vitest';
import { isTidingsError } from '../../src/errors.js';
import { imapPositionKey, imapSourceName, uidSet } from '../../src/sources/imap-source.js';
import { planBatches } from '../../src/sources/plan-batches.js';
import { Alarm, backoffDelay, isDeadlineError, withDeadline } from '../../src/sources/source-timing.js';

describe('backoffDelay', () => {
  it('doubles from the initial wait and stops at the cap (1 s → 60 s by default)', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, { initialMs: 50, maxMs: 150 }))).toEqual([50, 100, 150, 150]);
    expect(backoffDelay(-3)).toBe(1000);
    expect(Number.isFinite(backoffDelay(1e9))).toBe(true);
  });
});

describe('withDeadline (the watchdog)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes a result through and never fires after it', async () => {
    vi.useFakeTimers();
    const onExpire = vi.fn();
    await expect(withDeadline(Promise.resolve(7), 1000, onExpire, 'fetch')).resolves.toBe(7);
    await vi.advanceTimersByTimeAsync(5000);
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('passes an error through', async () => {
    vi.useFakeTimers();
    const onExpire = vi.fn();
    await expect(withDeadline(Promise.reject(new Error('boom')), 1000, onExpire, 'fetch')).rejects.toThrow('boom');
    await vi.advanceTimersByTimeAsync(5000);
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('aborts a hung command: runs onExpire (close the socket) and rejects with E_SOURCE_UNAVAILABLE', async () => {
    vi.useFakeTimers();
    const onExpire = vi.fn();
    let fail!: (e: Error) => void;
    const hung = new Promise<number>((_, reject) => (fail = reject));
    const guarded = withDeadline(hung, 1000, onExpire, 'fetch messages');
    const settled = guarded.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(onExpire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onExpire).toHaveBeenCalledTimes(1);
    const err = await settled;
    expect(isTidingsError(err, 'E_SOURCE_UNAVAILABLE')).toBe(true);
    expect(isDeadlineError(err)).toBe(true);
    expect((err as Error).message).toBe('fetch messages did not finish within 1000 ms');
    // the abandoned command failing later (socket closed) is swallowed, not an unhandled rejection
    fail(new Error('Connection not available'));
    await vi.advanceTimersByTimeAsync(10);
  });

  it('still rejects when onExpire throws', async () => {
    vi.useFakeTimers();
    const p = withDeadline(new Promise(() => undefined), 10, () => {
      throw new Error('already closed');
    }, 'x');
    const settled = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(isDeadlineError(await settled)).toBe(true);
  });

  it('works with injected timers', async () => {
    const pending: Array<() => void> = [];
    const timers = { setTimeout: (fn: () => void) => pending.push(fn), clearTimeout: () => undefined };
    const onExpire = vi.fn();
    const p = withDeadline(new Promise(() => undefined), 5, onExpire, 'connect', timers).catch((e: unknown) => e);
    pending[0]!();
    expect(onExpire).toHaveBeenCalled();
    expect(isDeadlineError(await p)).toBe(true);
  });
});

describe('Alarm', () => {
  it('times out, wakes early, and remembers a wake that came while nobody slept', async () => {
    const a = new Alarm();
    expect(await a.sleep(5)).toBe('timeout');
    const p = a.sleep(10_000);
    a.wake();
    expect(await p).toBe('woken');
    a.wake();
    expect(await a.sleep(10_000)).toBe('woken');
    expect(await a.sleep(5)).toBe('timeout');
    a.wake();
    a.clear();
    expect(await a.sleep(5)).toBe('timeout');
  });
});

describe('IMAP source helpers', () => {
  it('uidSet compresses runs', () => {
    expect(uidSet([3, 1, 2, 7, 9, 10, 10])).toBe('1:3,7,9:10');
    expect(uidSet([42])).toBe('42');
    expect(uidSet([])).toBe('');
  });

  it('planBatches cuts by count and by bytes, never leaving a message out', () => {
    const m = (size: number) => ({ size });
    expect(planBatches([m(1), m(1), m(1), m(1), m(1)], 2, 100).map((b) => b.length)).toEqual([2, 2, 1]);
    expect(planBatches([m(60), m(60), m(10), m(500), m(1)], 10, 100).map((b) => b.map((x) => x.size))).toEqual([[60], [60, 10], [500], [1]]);
    expect(planBatches([], 10, 10)).toEqual([]);
  });

  it('planBatches ramps up from a small first batch, so a backlog is committed from the start', () => {
    const m = (size: number) => ({ size });
    const backlog = Array.from({ length: 1000 }, () => m(1));
    expect(planBatches(backlog, 250, 1e9, 16).map((b) => b.length)).toEqual([16, 32, 64, 128, 250, 250, 250, 10]);
    // the byte limit still cuts, and a first count above the batch size is the batch size
    expect(planBatches([m(60), m(60), m(10)], 10, 100, 2).map((b) => b.length)).toEqual([1, 2]);
    expect(planBatches(backlog.slice(0, 5), 2, 100, 8).map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('names the source and the position key', () => {
    expect(imapSourceName({ user: 'support@desk.example', host: 'mail.example', port: 993, folder: 'INBOX' })).toBe('imap:support@desk.example@mail.example:993/INBOX');
    expect(imapPositionKey(1700000000, 42)).toBe('uidvalidity:1700000000:uid:42');
  });
});

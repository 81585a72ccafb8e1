import { TidingsError } from '../errors.js';

/**
 * Races `work` against a timer. A server that stops answering mid-FETCH would otherwise hold the
 * source forever; on expiry `abort` cuts the connection (which also fails `work`) and the caller
 * reconnects.
 */
export async function withWatchdog<T>(work: Promise<T>, ms: number, abort: () => void, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort();
      reject(new TidingsError('E_SOURCE_UNAVAILABLE', `${what} did not finish within ${Math.round(ms / 1000)} s; connection aborted`));
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    // The losing promise may reject later (the aborted command); nobody awaits it any more.
    work.catch(() => undefined);
  }
}

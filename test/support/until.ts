/** Polls `fn` until it returns something other than undefined/false; for integration tests, never for timing. */
export async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

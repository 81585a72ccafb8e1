import cron from 'node-cron';
import type { Logger } from 'pino';
import { runAutoCloseScan } from './auto-close-scan.js';
import { runEscalationScan, type EscalationDeps, type ScanResult } from './escalation-scan.js';
import { runRedactionScan } from './redaction-scan.js';

export interface EscalationLoop {
  /** Runs one scan now unless one is running (then resolves with undefined). */
  runOnce(): ScanResult | undefined;
  start(): void;
  stop(): void;
}

/**
 * The escalation loop: a node-cron task every `tick_seconds`, and one scan at start (catch-up after
 * downtime). Each tick also runs the auto-close and the redaction scans. Scans are synchronous and never overlap: a tick that finds one running is skipped.
 * `deps` is read on each tick, so a reloaded config applies to the next scan.
 */
export function createEscalationLoop(o: {
  deps: () => EscalationDeps;
  now: () => number;
  logger: Logger;
  tickSeconds: number;
  /** Called after each scan with its result and wall time, for metrics. */
  onScan?: (result: ScanResult, seconds: number) => void;
}): EscalationLoop {
  let running = false;
  let task: ReturnType<typeof cron.schedule> | undefined;
  const runOnce = (): ScanResult | undefined => {
    if (running) return undefined;
    running = true;
    try {
      const deps = o.deps();
      const now = o.now();
      const started = performance.now();
      const r = runEscalationScan(deps, now);
      o.onScan?.(r, (performance.now() - started) / 1000);
      if (r.sent || r.superseded || r.cancelled || r.suppressed || r.failed) o.logger.info({ event: 'escalation.scan', sent: r.sent, superseded: r.superseded, cancelled: r.cancelled, suppressed: r.suppressed, failed: r.failed }, 'escalation scan');
      // Lifecycle on the same tick: tickets waiting for the client past auto_close_days close.
      const c = runAutoCloseScan(deps, now);
      if (c.closed || c.cleared) o.logger.info({ event: 'lifecycle.auto_close', ...c }, 'auto-close scan');
      const red = runRedactionScan(deps, now);
      if (red.messages) o.logger.info({ event: 'lifecycle.redacted', ...red }, 'credentials redacted after close');
      return r;
    } catch (err) {
      o.logger.error({ event: 'escalation.scan_failed', err }, 'escalation scan failed');
      return undefined;
    } finally {
      running = false;
    }
  };
  return {
    runOnce,
    start() {
      runOnce();
      const s = Math.max(1, Math.round(o.tickSeconds));
      const expr = s < 60 ? `*/${s} * * * * *` : `0 */${Math.max(1, Math.round(s / 60))} * * * *`;
      task = cron.schedule(expr, () => void runOnce(), { noOverlap: true, name: 'escalation' });
    },
    stop() {
      void task?.stop();
      void task?.destroy();
      task = undefined;
    },
  };
}

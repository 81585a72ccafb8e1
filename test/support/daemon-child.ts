import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';

/**
 * The real daemon in a child process, for tests that kill it with SIGKILL and start it again, and
 * read what it committed through their own read-only connection. Paths are read when the daemon
 * starts, so a suite can create them in beforeAll after this is made.
 */
export interface DaemonChild {
  /** Starts `main.js --config <config> run`; the child is remembered for stopAll. */
  start(): ChildProcess;
  /** Resolves with the exit code once the child has ended (at once when it already has). */
  exited(c: ChildProcess): Promise<number | null>;
  /** `SELECT count(*) AS n ...` on the daemon's database; 0 while it is not created or migrated yet. */
  count(sql: string): number;
  /** Kills the last child started, if it still runs (for afterAll). */
  stopAll(): Promise<void>;
}

export function daemonChild(o: { mainJs: () => string; config: () => string; dbPath: () => string; env: NodeJS.ProcessEnv }): DaemonChild {
  let child: ChildProcess | undefined;
  const exited = (c: ChildProcess): Promise<number | null> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve(c.exitCode) : new Promise((r) => c.once('exit', (code) => r(code)));
  return {
    start() {
      const c = spawn(process.execPath, [o.mainJs(), '--config', o.config(), 'run'], { env: o.env, stdio: ['ignore', 'ignore', 'pipe'] });
      c.stderr?.on('data', () => undefined);
      child = c;
      return c;
    },
    exited,
    count(sql) {
      let db: Database.Database | undefined;
      try {
        db = new Database(o.dbPath(), { readonly: true, fileMustExist: true });
        return (db.prepare(sql).get() as { n: number }).n;
      } catch {
        return 0;
      } finally {
        db?.close();
      }
    },
    async stopAll() {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    },
  };
}

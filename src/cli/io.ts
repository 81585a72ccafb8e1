import { readStdin } from '../sources/read-stdin.js';

/**
 * Where a command writes. Injected so tests run commands in-process and read what a user would
 * see, without spawning a process or capturing the real stdout.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The clock commands read "now" from; tests fix it. */
  now(): number;
  /** All of stdin (for `tidings ingest`). */
  readStdin(): Promise<Buffer>;
}


export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
    readStdin: () => readStdin(),
  };
}

/** Collects output in memory; for tests. */
export function memoryIo(env: NodeJS.ProcessEnv = {}, cwd: string = process.cwd(), now: number = Date.parse('2026-01-05T10:00:00Z')): CliIo & { stdout: string; stderr: string; stdin: Buffer } {
  const io = {
    stdout: '',
    stderr: '',
    env,
    cwd,
    now: () => now,
    stdin: Buffer.alloc(0),
    readStdin: () => Promise.resolve(io.stdin),
    out(t: string) {
      io.stdout += t.endsWith('\n') ? t : `${t}\n`;
    },
    err(t: string) {
      io.stderr += t.endsWith('\n') ? t : `${t}\n`;
    },
  };
  return io;
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

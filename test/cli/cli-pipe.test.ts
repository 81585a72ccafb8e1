import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledTree } from '../support/compiled-tree.js';

/** The real command line in a child process: `tidings show 1 | head` must not end in a stack trace. */
describe('tidings writing into a closed pipe', () => {
  let build: ReturnType<typeof compiledTree>;

  beforeAll(() => {
    build = compiledTree('cli-pipe');
  }, 120_000);

  afterAll(() => build?.remove());

  it('exits quietly when the reader of its output goes away', async () => {
    const child = spawn(process.execPath, [path.join(build.dir, 'src/cli/main.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // like `| head -0`: the reader is gone before the first line is written
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});

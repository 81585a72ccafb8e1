#!/usr/bin/env node
import { processIo } from './io.js';
import { runCli } from './program.js';

// `tidings show 1 | head`: the reader went away, which is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;

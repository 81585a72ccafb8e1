import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';

/**
 * Compiles the sources into a private directory under .test-build/ (never dist/, which other
 * suites build too) for tests that need real JavaScript: a worker thread, a child process. Returns
 * the directory and a function that removes it.
 */
export function compiledTree(name: string): { dir: string; remove: () => void } {
  const root = packageRoot();
  const dir = path.join(root, '.test-build', `${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json'), '--outDir', dir], { cwd: root, stdio: 'inherit' });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

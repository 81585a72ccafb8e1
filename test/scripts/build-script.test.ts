import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** Runs package.json's `build` script the way npm does (sh -c, node_modules/.bin on the PATH) in `dir`. */
function runBuild(dir: string): void {
  execFileSync('sh', ['-c', scripts.build!], {
    cwd: dir,
    env: { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}` },
    stdio: 'pipe',
  });
}

describe('npm run build (and so npm start)', () => {
  it('leaves an up-to-date dist/ alone and rebuilds after a source changes', () => {
    // A one-file project with the repository's compiler options, so the test does not compile all of tidings.
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-build-'));
    dirs.push(dir);
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'tsconfig.json'), readFileSync(path.join(root, 'tsconfig.json')));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src/a.ts'), 'export const a: number = 1;\n');
    const out = path.join(dir, 'dist/src/a.js');

    runBuild(dir);
    // Age the output so a rewrite, however fast, shows in its mtime.
    const old = new Date(Date.now() - 60_000);
    utimesSync(out, old, old);
    const older = new Date(Date.now() - 120_000);
    for (const input of ['src/a.ts', 'tsconfig.json']) utimesSync(path.join(dir, input), older, older);
    const before = statSync(out).mtimeMs;
    runBuild(dir);
    expect(statSync(out).mtimeMs).toBe(before);

    writeFileSync(path.join(dir, 'src/a.ts'), 'export const a: number = 2;\n');
    runBuild(dir);
    expect(readFileSync(out, 'utf8')).toContain('a = 2');
  });
});

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';

/**
 * ../shared/corpus beside the checkout: real mail from other software, read in place (never copied).
 * TIDINGS_CORPUS_DIR points elsewhere, for a checkout (a git worktree) that does not sit beside it.
 */
export const CORPUS_DIR = process.env.TIDINGS_CORPUS_DIR ?? path.resolve(packageRoot(), '../shared/corpus');
export const corpusPresent = existsSync(CORPUS_DIR);

/** Every file below `dir`, sorted, depth first. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

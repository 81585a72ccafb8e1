import { existsSync } from 'node:fs';
import path from 'node:path';
import { lineOf, readYamlFile, type PathSegment } from './yaml-file.js';

export interface SettingLocation {
  /** Absolute path of the file that writes the setting. */
  file: string;
  line: number;
}

/**
 * Where a loaded setting is written: the main file or the include that defines its top-level key,
 * and the line of the value. Undefined when no file writes it (its default is in force). The
 * frozen Config keeps no positions, so a runtime error that names a setting (a port in use) reads
 * the files again; they are small, and this runs only on that error path.
 */
export function locateSetting(mainFile: string, segments: readonly PathSegment[]): SettingLocation | undefined {
  const baseDir = path.dirname(mainFile);
  const main = readYamlFile(mainFile, baseDir);
  const includes = (main.value as { include?: unknown } | null | undefined)?.include;
  const files = [main];
  for (const name of Array.isArray(includes) ? includes : []) {
    if (typeof name !== 'string') continue;
    const file = path.resolve(baseDir, name);
    if (existsSync(file)) files.push(readYamlFile(file, baseDir));
  }
  for (const y of files) {
    if (y.syntaxErrors.length === 0 && y.doc.hasIn(segments)) return { file: y.file, line: lineOf(y, segments) };
  }
  return undefined;
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';

/** A parsed YAML file that can tell the line of any path inside it. */
export interface YamlFile {
  /** Absolute path. */
  file: string;
  /** Path as shown to the admin (relative to the main config's folder). */
  display: string;
  doc: Document;
  lines: LineCounter;
  value: unknown;
  /** Syntax errors with their line. */
  syntaxErrors: Array<{ line: number; message: string }>;
}

export type PathSegment = string | number;

export function readYamlFile(file: string, baseDir: string): YamlFile {
  const text = readFileSync(file, 'utf8');
  return parseYamlText(text, file, baseDir);
}

export function parseYamlText(text: string, file: string, baseDir: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const syntaxErrors = doc.errors.map((e) => ({
    line: lines.linePos(e.pos[0]).line,
    // yaml's messages end with a code excerpt on later lines; the first line is the message.
    message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
  }));
  const value = syntaxErrors.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  const display = path.relative(baseDir, file) || path.basename(file);
  return { file, display, doc, lines, value, syntaxErrors };
}

/**
 * Line of the node at `segments`, or of the deepest existing ancestor when the path ends in
 * something missing (a required key that is absent is reported where its parent is).
 * With `keyOf`, the line of the key itself (for an unknown key).
 */
export function lineOf(y: YamlFile, segments: readonly PathSegment[], keyOf?: string): number {
  let node: unknown = y.doc.contents;
  let offset = rangeStart(node) ?? 0;
  let parentKeyStart: number | undefined;
  const walk = keyOf === undefined ? segments : [...segments, keyOf];
  for (let i = 0; i < walk.length; i++) {
    const seg = walk[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) {
        // A missing key is reported on its parent's key line, not on the parent's first child.
        offset = parentKeyStart ?? offset;
        break;
      }
      const keyStart = rangeStart(pair.key);
      const isLast = i === walk.length - 1;
      if (isLast && keyOf !== undefined) {
        offset = keyStart ?? offset;
        break;
      }
      node = pair.value;
      parentKeyStart = keyStart;
      offset = rangeStart(node) ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      parentKeyStart = rangeStart(item);
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return y.lines.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const r = (node as { range?: [number, number, number] | null }).range;
    if (r) return r[0];
  }
  return undefined;
}

/** `licences[3].emails[0]`, `rules[0].when["licence.type"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

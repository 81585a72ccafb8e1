import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { TidingsError } from '../errors.js';
import { formatIssue, type ConfigIssue } from './config-issue.js';
import { buildConfig, type Config } from './config.js';
import { crossCheck } from './cross-checks.js';
import { secretIssues } from './secret-checks.js';
import { configSchema, type RawConfig } from './schema.js';
import { formatPath, lineOf, readYamlFile, type PathSegment, type YamlFile } from './yaml-file.js';

/** Where `--config` points when it is not given. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TIDINGS_CONFIG ?? path.join('config', 'tidings.yaml');
}

export class ConfigError extends TidingsError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super('E_CONFIG_INVALID', `configuration is invalid:\n${issues.map(formatIssue).join('\n')}`, { details: { issues } });
    this.issues = issues;
  }
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface LoadConfigOptions {
  /**
   * Also require every secret the configured source, transport and security settings read (env
   * vars and files), looked up in this environment. `check-config` and `run` pass it; commands
   * that never touch those secrets do not.
   */
  secretsFrom?: NodeJS.ProcessEnv | undefined;
}

/**
 * Reads tidings.yaml and the files it includes, validates everything in one pass and returns a
 * frozen config. Every problem is reported at once, each with its file:line and path.
 */
export function loadConfig(file: string, options: LoadConfigOptions = {}): Config {
  const mainPath = path.resolve(file);
  if (!existsSync(mainPath) || !statSync(mainPath).isFile()) {
    throw new TidingsError('E_CONFIG_NOT_FOUND', `configuration file not found: ${file}`, { details: { file } });
  }
  const baseDir = path.dirname(mainPath);
  const main = readYamlFile(mainPath, baseDir);
  const issues: ConfigIssue[] = [];
  const at = (y: YamlFile, segments: PathSegment[], message: string, keyOf?: string): void => {
    issues.push({ file: y.display, line: lineOf(y, segments, keyOf), path: formatPath(keyOf ? [...segments, keyOf] : segments), message });
  };

  for (const e of main.syntaxErrors) issues.push({ file: main.display, line: e.line, path: '', message: e.message });
  if (issues.length) throw new ConfigError(issues);
  if (!isPlainMap(main.value)) {
    throw new ConfigError([{ file: main.display, line: 1, path: '', message: 'expected a mapping of settings' }]);
  }

  const owners = new Map<string, YamlFile>();
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(main.value)) {
    owners.set(k, main);
    merged[k] = v;
  }

  let includeFailed = false;
  const includes = main.value.include;
  if (includes !== undefined && Array.isArray(includes)) {
    includes.forEach((inc, i) => {
      if (typeof inc !== 'string') return; // the schema reports the type
      const incPath = path.resolve(baseDir, inc);
      if (!existsSync(incPath)) {
        includeFailed = true;
        at(main, ['include', i], `included file not found: ${inc}`);
        return;
      }
      const y = readYamlFile(incPath, baseDir);
      if (y.syntaxErrors.length) {
        includeFailed = true;
        for (const e of y.syntaxErrors) issues.push({ file: y.display, line: e.line, path: '', message: e.message });
        return;
      }
      if (y.value === null || y.value === undefined) return; // an empty file adds nothing
      if (!isPlainMap(y.value)) {
        includeFailed = true;
        issues.push({ file: y.display, line: 1, path: '', message: 'expected a mapping of settings' });
        return;
      }
      for (const [k, v] of Object.entries(y.value)) {
        if (k === 'include') {
          at(y, [], 'included files cannot include others', 'include');
          continue;
        }
        const prev = owners.get(k);
        if (prev) {
          at(y, [], `"${k}" is already defined in ${prev.display}:${lineOf(prev, [], k)}`, k);
          continue;
        }
        owners.set(k, y);
        merged[k] = v;
      }
    });
  }

  const parsed = configSchema.safeParse(merged);
  const crossIssues = parsed.success ? crossCheck(parsed.data) : crossCheckValidSections(merged);
  if (parsed.success && options.secretsFrom) crossIssues.push(...secretIssues(parsed.data, baseDir, options.secretsFrom));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const top = issue.path[0];
      if (includeFailed && typeof top === 'string' && !owners.has(top)) continue; // caused by the missing file
      issues.push(...locateZodIssue(issue, owners, main));
    }
  }
  for (const ci of crossIssues) {
    const top = ci.path[0];
    const owner = (typeof top === 'string' && owners.get(top)) || main;
    at(owner, ci.path, ci.message, ci.keyOf);
  }
  if (issues.length || !parsed.success) throw new ConfigError(issues);
  return buildConfig(parsed.data, mainPath);
}

/** Sections whose cross-checks are meaningless when the section they refer to is broken. */
const DEPENDS_ON: Record<string, readonly string[]> = {
  levels: ['calendars'],
  rules: ['levels'],
  selection: ['levels', 'calendars'],
};

/**
 * When some sections fail the schema, the others still get their cross-checks, so an admin sees
 * an unknown zone in calendars.yaml and a bad address in licences.yaml in the same run. Issues in
 * a section that depends on a broken one are left out: they would only echo the first error.
 */
function crossCheckValidSections(merged: Record<string, unknown>): ReturnType<typeof crossCheck> {
  const shape = configSchema.shape as Record<string, z.ZodType>;
  const partial: Record<string, unknown> = {};
  const broken = new Set<string>();
  for (const [k, schema] of Object.entries(shape)) {
    const r = schema.safeParse(merged[k]);
    if (r.success) partial[k] = r.data;
    else broken.add(k);
  }
  partial.calendars ??= {};
  partial.levels ??= {};
  partial.rules ??= [];
  partial.licences ??= [];
  partial.staff ??= { members: [], require_auth: false, notify: { new_ticket: true, client_message: true, per_ticket_per_hour: 20 } };
  try {
    return crossCheck(partial as RawConfig).filter((ci) => {
      const top = String(ci.path[0] ?? '');
      return !broken.has(top) && !(DEPENDS_ON[top] ?? []).some((d) => broken.has(d));
    });
  } catch {
    // A section shaped in a way the cross-checks did not expect; its schema errors already say why.
    return [];
  }
}

function locateZodIssue(issue: z.core.$ZodIssue, owners: Map<string, YamlFile>, main: YamlFile): ConfigIssue[] {
  const segments = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const top = segments[0];
  const owner = (typeof top === 'string' && owners.get(top)) || main;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({
      file: owner.display,
      line: lineOf(owner, segments, k),
      path: formatPath([...segments, k]),
      message: 'unknown key',
    }));
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && /received undefined$/.test(message)) {
    message = segments.length === 1 ? 'required (in tidings.yaml or an included file)' : 'required';
  } else if (issue.code === 'invalid_type') {
    message = message.replace(/^Invalid input: /, '');
  } else if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    message = `must be one of ${(issue.options as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (issue.code === 'invalid_value') {
    message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return [{ file: owner.display, line: lineOf(owner, segments), path: formatPath(segments), message }];
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TidingsError } from '../errors.js';
import { packageRoot } from '../paths.js';
import type { Db } from './open-database.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function migrationsDir(): string {
  return path.join(packageRoot(), 'migrations');
}

/** Numbered SQL files, in order; a gap or a duplicate number is a packaging bug and refused. */
export function loadMigrations(dir: string = migrationsDir()): Migration[] {
  const list = readdirSync(dir)
    .map((f) => FILE.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2] ?? '', sql: readFileSync(path.join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new TidingsError('E_MIGRATION_FAILED', `migrations must be numbered 0001, 0002, … without gaps; found ${String(m.version).padStart(4, '0')}_${m.name}.sql at position ${i + 1}`);
    }
  });
  return list;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Applies every migration newer than the database, each in its own transaction together with
 * the user_version bump, so a failure leaves the schema at the last good version.
 */
export function migrate(db: Db, migrations: Migration[] = loadMigrations()): MigrateResult {
  const from = schemaVersion(db);
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  if (from > latest) {
    throw new TidingsError('E_SCHEMA_TOO_NEW', `database schema version ${from} is newer than this tidings knows (${latest}); upgrade tidings or restore a matching backup`, {
      details: { dbVersion: from, knownVersion: latest },
    });
  }
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    const run = db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      run.immediate();
    } catch (err) {
      throw new TidingsError('E_MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
    }
    applied.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
  }
  return { from, to: Math.max(from, latest), applied };
}

/** True when the database is at the version this code expects. */
export function isCurrent(db: Db, migrations: Migration[] = loadMigrations()): boolean {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  return schemaVersion(db) === latest;
}

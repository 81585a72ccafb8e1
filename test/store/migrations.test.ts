import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTidingsError } from '../../src/errors.js';
import { isCurrent, loadMigrations, migrate, migrationsDir, schemaVersion } from '../../src/store/migrate.js';
import { openDatabase, type Db } from '../../src/store/open-database.js';
import { thrown } from './helpers.js';

/** The tables of 0001_initial. */
const INITIAL_TABLES = [
  'attachments', 'auto_replies', 'blobs', 'coupon_uses', 'escalation_notices', 'events', 'inbound_keys', 'messages',
  'outbox', 'participants', 'quarantine', 'source_cursors', 'tickets', 'undeliverable_addresses',
];

const EXPECTED_TABLES = [...INITIAL_TABLES, 'ack_requests', 'staff_auto_replies'].sort();

const EXPECTED_INDEXES = [
  'ack_requests_address_at', 'attachments_message', 'attachments_sha256', 'auto_replies_address_at', 'coupon_uses_licence_year', 'escalation_pending_due',
  'events_ticket', 'events_type_at', 'inbound_keys_quarantine', 'messages_message_id', 'messages_raw', 'messages_ticket',
  'outbox_due', 'outbox_failed', 'outbox_ticket', 'participants_address', 'quarantine_status', 'staff_auto_replies_address_at', 'tickets_closed_at',
  'tickets_created', 'tickets_open_by_due', 'tickets_requester',
];

function names(db: Db, type: 'table' | 'index'): string[] {
  return db
    .prepare<[string], string>("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all(type);
}

const latest = loadMigrations().at(-1)!.version;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempMigrations(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-migrations-'));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

describe('migrations', () => {
  it('creates every table and index of the model on an empty database', () => {
    const db = openDatabase(':memory:');
    expect(schemaVersion(db)).toBe(0);
    const result = migrate(db);
    expect(result).toEqual({ from: 0, to: latest, applied: ['0001_initial', '0002_auto_close', '0003_ack_loop_cap', '0004_oversized_quarantine', '0005_staff_reply_budget'] });
    expect(names(db, 'table')).toEqual(EXPECTED_TABLES);
    expect(names(db, 'index')).toEqual(expect.arrayContaining(EXPECTED_INDEXES));
    expect(schemaVersion(db)).toBe(latest);
    expect(isCurrent(db)).toBe(true);
  });

  it('makes every table STRICT', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    const rows = db.prepare<[], { name: string; strict: number }>("SELECT name, strict FROM pragma_table_list WHERE schema = 'main'").all();
    const strict = Object.fromEntries(rows.map((r) => [r.name, r.strict]));
    for (const t of EXPECTED_TABLES) expect(strict[t], t).toBe(1);
  });

  it('is a no-op when run again', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    db.prepare("INSERT INTO source_cursors (source, last_uid, updated_at) VALUES ('x', 7, 1)").run();
    const again = migrate(db);
    expect(again).toEqual({ from: latest, to: latest, applied: [] });
    expect(schemaVersion(db)).toBe(latest);
    expect(db.prepare('SELECT last_uid FROM source_cursors').pluck().get()).toBe(7);
  });

  it('refuses a database newer than the code with E_SCHEMA_TOO_NEW and leaves it alone', () => {
    const db = openDatabase(':memory:');
    db.pragma(`user_version = ${latest + 1}`);
    const err = thrown(() => migrate(db));
    expect(isTidingsError(err, 'E_SCHEMA_TOO_NEW')).toBe(true);
    expect(err.code).toBe('E_SCHEMA_TOO_NEW');
    expect(schemaVersion(db)).toBe(latest + 1);
    expect(names(db, 'table')).toEqual([]);
  });

  it('rolls a failing migration back completely and keeps user_version at the last good one', () => {
    const initial = readFileSync(path.join(migrationsDir(), '0001_initial.sql'), 'utf8');
    const dir = tempMigrations({
      '0001_initial.sql': initial,
      // The first statements succeed, the last one fails: nothing of 0002 may remain.
      '0002_broken.sql': "CREATE TABLE half_done (x INTEGER) STRICT;\nINSERT INTO half_done VALUES (1);\nALTER TABLE tickets ADD COLUMN level TEXT;\n",
    });
    const db = openDatabase(':memory:');
    const err = thrown(() => migrate(db, loadMigrations(dir)));
    expect(isTidingsError(err, 'E_MIGRATION_FAILED')).toBe(true);
    expect(err.message).toMatch(/migration 2 \(broken\)/);
    expect(schemaVersion(db)).toBe(1); // 0001 committed on its own
    expect(names(db, 'table')).not.toContain('half_done');
    expect(names(db, 'table')).toEqual(INITIAL_TABLES);
    expect(db.inTransaction).toBe(false);
  });

  it('0004 makes quarantine raw optional and keeps every inbound key linked to its entry', () => {
    const db = openDatabase(':memory:');
    const all = loadMigrations();
    migrate(db, all.filter((m) => m.version <= 3));
    db.prepare("INSERT INTO quarantine (received_at, source, reason_code, reason, size, raw) VALUES (1, 'stdin', 'spam', 'X-Spam-Flag', 1, x'41')").run();
    db.prepare("INSERT INTO inbound_keys (key, quarantine_id, at) VALUES ('sha256:aa', 1, 1)").run();
    migrate(db, all);
    expect(db.prepare('SELECT quarantine_id FROM inbound_keys').pluck().get()).toBe(1);
    expect(db.prepare('SELECT raw FROM quarantine WHERE id = 1').pluck().get()).toEqual(Buffer.from('A'));
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // A row by reference: no bytes, a size and where the original is; never both, never neither.
    const add = db.prepare<[number, string | null, Buffer | null]>("INSERT INTO quarantine (received_at, source, reason_code, reason, size, original, raw) VALUES (2, 'maildir:/x', 'E_MESSAGE_TOO_LARGE', 'big', ?, ?, ?)");
    expect(add.run(3_000_000_000, '/x/cur/a:2,S', null).changes).toBe(1);
    expect(() => add.run(5, null, null)).toThrow(/CHECK constraint failed/);
    expect(() => add.run(1, '/x/cur/b:2,S', Buffer.from('A'))).toThrow(/CHECK constraint failed/);
    // The link still clears when its entry is deleted.
    db.prepare('DELETE FROM quarantine WHERE id = 1').run();
    expect(db.prepare('SELECT quarantine_id FROM inbound_keys').pluck().get()).toBeNull();
  });

  it('refuses a gap in the numbering', () => {
    const dir = tempMigrations({ '0001_a.sql': 'CREATE TABLE a (x INTEGER);', '0003_c.sql': 'CREATE TABLE c (x INTEGER);' });
    const err = thrown(() => loadMigrations(dir));
    expect(isTidingsError(err, 'E_MIGRATION_FAILED')).toBe(true);
  });

  it('leaves foreign keys enforced after migrating', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });

  describe('constraints', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    const ticket = (status: string, closedAt: number | null) =>
      db
        .prepare('INSERT INTO tickets (subject, requester, level, status, created_at, updated_at, closed_at) VALUES (?, ?, ?, ?, 1, 1, ?)')
        .run('s', 'a@b.example', 'x', status, closedAt);

    it('checks the ticket status enum and closed_at consistency', () => {
      expect(() => ticket('open', null)).toThrow(/CHECK constraint failed/);
      expect(() => ticket('closed', null)).toThrow(/CHECK constraint failed/);
      expect(() => ticket('new', 5)).toThrow(/CHECK constraint failed/);
      expect(ticket('closed', 5).changes).toBe(1);
    });

    it('refuses values of the wrong type (STRICT)', () => {
      expect(() =>
        db.prepare("INSERT INTO tickets (subject, requester, level, created_at, updated_at) VALUES ('s', 'a@b.example', 'x', 'yesterday', 1)").run(),
      ).toThrow(/cannot store TEXT value in INTEGER column/);
      expect(() =>
        db.prepare("INSERT INTO tickets (subject, requester, level, created_at, updated_at) VALUES ('s', 'a@b.example', 'x', ?, 1)").run(1.5),
      ).toThrow(/cannot store REAL value in INTEGER column/);
    });

    it('checks the message direction and visibility enums', () => {
      const blob = 'a'.repeat(64);
      db.prepare('INSERT INTO blobs (sha256, size, data) VALUES (?, 1, ?)').run(blob, Buffer.from('x'));
      const msg = (direction: string, visibility: string) =>
        db
          .prepare("INSERT INTO messages (direction, visibility, kind, received_at, size, raw_sha256) VALUES (?, ?, 'client', 1, 1, ?)")
          .run(direction, visibility, blob);
      expect(() => msg('sideways', 'public')).toThrow(/CHECK constraint failed/);
      expect(() => msg('in', 'secret')).toThrow(/CHECK constraint failed/);
      expect(msg('out', 'internal').changes).toBe(1);
    });

    it('checks outbox status, blob hashes and sizes, and JSON columns', () => {
      const outbox = (status: string, recipients: string) =>
        db
          .prepare("INSERT INTO outbox (kind, message_id, recipients, subject, mail, status, next_attempt_at, created_at, sent_at) VALUES ('ack', ?, ?, 's', '{}', ?, 1, 1, NULL)")
          .run(`m${Math.random()}`, recipients, status);
      expect(() => outbox('queued', '[]')).toThrow(/CHECK constraint failed/);
      expect(() => outbox('sent', '[]')).toThrow(/CHECK constraint failed/); // sent without sent_at
      expect(() => outbox('pending', 'not json')).toThrow(/CHECK constraint failed/);
      expect(() => outbox('pending', '{"a":1}')).toThrow(/CHECK constraint failed/); // must be an array
      expect(() => db.prepare('INSERT INTO blobs (sha256, size, data) VALUES (?, 3, ?)').run('b'.repeat(64), Buffer.from('xy'))).toThrow(
        /CHECK constraint failed/,
      );
      expect(() => db.prepare('INSERT INTO blobs (sha256, size, data) VALUES (?, 2, ?)').run('B'.repeat(64), Buffer.from('xy'))).toThrow(
        /CHECK constraint failed/,
      );
    });

    it('checks participant roles and lower-case addresses', () => {
      const id = Number(ticket('new', null).lastInsertRowid);
      const add = (address: string, role: string) =>
        db.prepare('INSERT INTO participants (ticket_id, address, role, added_at) VALUES (?, ?, ?, 1)').run(id, address, role);
      expect(() => add('x@y.example', 'owner')).toThrow(/CHECK constraint failed/);
      expect(() => add('X@y.example', 'cc')).toThrow(/CHECK constraint failed/);
      expect(add('x@y.example', 'cc').changes).toBe(1);
    });
  });
});

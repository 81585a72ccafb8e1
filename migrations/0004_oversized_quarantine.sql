-- Oversized mail is quarantined by reference (issue 13 item 15): a message over
-- limits.max_message_bytes (or over 2 GiB, more than a Buffer holds) is never loaded, so its row
-- has no raw bytes; `original` says where the message is kept instead (the Maildir file in cur/,
-- the IMAP folder and UID). SQLite cannot drop NOT NULL in place, so the table is rebuilt, and
-- inbound_keys with it: with foreign keys on (they cannot be switched off inside the migration's
-- transaction), dropping the old quarantine would clear every key's link to it, and renaming it
-- would carry the keys' reference along. New tables first, then the old ones go, child first.
CREATE TABLE quarantine_new (
  id             INTEGER PRIMARY KEY,
  received_at    INTEGER NOT NULL,
  source         TEXT NOT NULL,
  source_key     TEXT,
  reason_code    TEXT NOT NULL,
  reason         TEXT NOT NULL,
  size           INTEGER NOT NULL,
  status         TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'reprocessed', 'discarded')),
  reprocessed_at INTEGER,
  original       TEXT,                                   -- where the message is kept when raw is not
  raw            BLOB,                                   -- last column: listing rows never walks its overflow pages
  CHECK (raw IS NULL OR size = length(raw)),
  CHECK ((raw IS NULL) = (original IS NOT NULL))
) STRICT;
INSERT INTO quarantine_new (id, received_at, source, source_key, reason_code, reason, size, status, reprocessed_at, raw)
  SELECT id, received_at, source, source_key, reason_code, reason, size, status, reprocessed_at, raw FROM quarantine;

CREATE TABLE inbound_keys_new (
  key           TEXT PRIMARY KEY CHECK (key <> ''),
  message_id    INTEGER REFERENCES messages(id),
  quarantine_id INTEGER REFERENCES quarantine_new(id) ON DELETE SET NULL,
  at            INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO inbound_keys_new (key, message_id, quarantine_id, at) SELECT key, message_id, quarantine_id, at FROM inbound_keys;

DROP TABLE inbound_keys;
DROP TABLE quarantine;
-- Renaming the parent rewrites the child's REFERENCES to the final name.
ALTER TABLE quarantine_new RENAME TO quarantine;
ALTER TABLE inbound_keys_new RENAME TO inbound_keys;
CREATE INDEX quarantine_status ON quarantine (status, id);
CREATE INDEX inbound_keys_quarantine ON inbound_keys (quarantine_id) WHERE quarantine_id IS NOT NULL;

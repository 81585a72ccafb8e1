-- The whole ticket model. Times are UTC epoch milliseconds (INTEGER); addresses are lower-case.
-- Every table is STRICT: a value of the wrong type is refused instead of being stored as something else.
-- Enumerations that drive logic (status, direction, visibility, role) have CHECK constraints. The
-- descriptive `kind` labels of messages and outbox rows are deliberately open: a new kind must not need
-- a table rebuild (SQLite cannot alter a CHECK) of the two largest tables.

CREATE TABLE tickets (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,   -- the TID number; AUTOINCREMENT never reuses one
  status            TEXT NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'awaiting-staff', 'awaiting-client', 'closed')),
  subject           TEXT NOT NULL,
  requester         TEXT NOT NULL CHECK (requester = lower(requester)),
  requester_name    TEXT,
  licence_key       TEXT,
  level             TEXT NOT NULL CHECK (level <> ''),
  level_reason      TEXT,
  language          TEXT NOT NULL DEFAULT 'en',
  assignee          TEXT,
  linked_ticket_id  INTEGER REFERENCES tickets(id),      -- the ticket a stranger or a late reply referred to
  cycle             INTEGER NOT NULL DEFAULT 1 CHECK (cycle >= 1), -- response clock cycle; a client message after a staff reply starts the next
  clock_started_at  INTEGER,                             -- earliest client message staff have not answered
  response_due_at   INTEGER,                             -- deadline of the running cycle (UTC instant); NULL while the clock is stopped
  first_response_at INTEGER,
  ack_sent_at       INTEGER,                             -- seed 4.12: registered once the acknowledgement went out
  rating            INTEGER CHECK (rating BETWEEN 1 AND 5),
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  closed_at         INTEGER,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
) STRICT;
-- The queue of open tickets by deadline (tickets without a running clock sort first, as NULL).
CREATE INDEX tickets_open_by_due ON tickets (response_due_at) WHERE status <> 'closed';
CREATE INDEX tickets_requester ON tickets (requester);
CREATE INDEX tickets_created ON tickets (created_at);
-- Reopen window and credential redaction N days after close.
CREATE INDEX tickets_closed_at ON tickets (closed_at) WHERE status = 'closed';

-- Content-addressed bytes: raw messages (inbound and outbound) and attachment bodies.
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  size   INTEGER NOT NULL,
  data   BLOB NOT NULL,
  CHECK (size = length(data))
) STRICT, WITHOUT ROWID;

CREATE TABLE messages (
  id            INTEGER PRIMARY KEY,
  ticket_id     INTEGER REFERENCES tickets(id),
  direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  visibility    TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'internal')),
  kind          TEXT NOT NULL CHECK (kind <> ''),        -- client, staff, note, automated, bounce, ack, notification, relay, escalation, closing, ...
  message_id    TEXT,                                    -- without the angle brackets
  in_reply_to   TEXT,
  references_ids TEXT,                                   -- space-separated, as in the header
  from_addr     TEXT,
  from_name     TEXT,
  to_addrs      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(to_addrs)),  -- JSON array
  cc_addrs      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cc_addrs)),  -- JSON array
  subject       TEXT,
  date_header   INTEGER,
  received_at   INTEGER NOT NULL,
  size          INTEGER NOT NULL,
  raw_sha256    TEXT NOT NULL REFERENCES blobs(sha256),  -- byte for byte as received or sent; kept out of the row so scans stay small
  text_body     TEXT,                                    -- full text
  html_body     TEXT,
  visible_text  TEXT,                                    -- quoted text and signature removed
  redacted_at   INTEGER
) STRICT;
CREATE INDEX messages_ticket ON messages (ticket_id, id);
CREATE INDEX messages_message_id ON messages (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX messages_raw ON messages (raw_sha256);

CREATE TABLE attachments (
  id          INTEGER PRIMARY KEY,
  message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  sha256      TEXT NOT NULL REFERENCES blobs(sha256),
  filename    TEXT,
  content_type TEXT NOT NULL,
  size        INTEGER NOT NULL,
  disposition TEXT
) STRICT;
CREATE INDEX attachments_message ON attachments (message_id);
CREATE INDEX attachments_sha256 ON attachments (sha256);

CREATE TABLE participants (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  address   TEXT NOT NULL CHECK (address = lower(address)),
  name      TEXT,
  role      TEXT NOT NULL CHECK (role IN ('requester', 'cc', 'licence')),
  added_at  INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, address)
) STRICT, WITHOUT ROWID;
CREATE INDEX participants_address ON participants (address);

-- Addresses a permanent bounce (5.x.x) marked; no automatic mail goes to them.
CREATE TABLE undeliverable_addresses (
  address    TEXT PRIMARY KEY CHECK (address = lower(address)),
  status     TEXT NOT NULL,
  diagnostic TEXT,
  ticket_id  INTEGER REFERENCES tickets(id),
  marked_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Audit trail: every decision about a ticket.
CREATE TABLE events (
  id        INTEGER PRIMARY KEY,
  ticket_id INTEGER REFERENCES tickets(id),
  at        INTEGER NOT NULL,
  type      TEXT NOT NULL CHECK (type <> ''),          -- stable event names: ticket.created, message.appended, ack.queued ...
  actor     TEXT,
  data      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))  -- JSON
) STRICT;
CREATE INDEX events_ticket ON events (ticket_id, id);
CREATE INDEX events_type_at ON events (type, at);

-- Outgoing mail, written in the same transaction as the decision that makes it. The Message-ID is
-- fixed here so a retried send is the same mail, never a second different one; when `raw` is set
-- (rendered once) the retry is the same bytes too.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  ticket_id       INTEGER REFERENCES tickets(id),
  kind            TEXT NOT NULL CHECK (kind <> ''),      -- ack, notification, relay, escalation, closing, command-error, bmp-note
  message_id      TEXT NOT NULL UNIQUE,
  recipients      TEXT NOT NULL CHECK (json_valid(recipients) AND json_type(recipients) = 'array'), -- JSON array of envelope recipients
  subject         TEXT NOT NULL,
  mail            TEXT NOT NULL CHECK (json_valid(mail)),   -- JSON: headers, subject, text, attachments by sha256
  raw             BLOB,                                     -- the rendered message, when rendered at enqueue
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  failed_at       INTEGER,
  CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
  CHECK ((status = 'failed') = (failed_at IS NOT NULL))
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_ticket ON outbox (ticket_id);
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE status = 'failed';

CREATE TABLE quarantine (
  id             INTEGER PRIMARY KEY,
  received_at    INTEGER NOT NULL,
  source         TEXT NOT NULL,
  source_key     TEXT,
  reason_code    TEXT NOT NULL,
  reason         TEXT NOT NULL,
  size           INTEGER NOT NULL,
  status         TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'reprocessed', 'discarded')),
  reprocessed_at INTEGER,
  raw            BLOB NOT NULL,                          -- last column: listing rows never walks its overflow pages
  CHECK (size = length(raw))
) STRICT;
CREATE INDEX quarantine_status ON quarantine (status, id);

-- Exactly-once ingest: a message is known by its source position and by its Message-ID (or a
-- hash of its bytes when it has none). Either key already present makes a re-read a no-op.
CREATE TABLE inbound_keys (
  key           TEXT PRIMARY KEY CHECK (key <> ''),
  message_id    INTEGER REFERENCES messages(id),
  quarantine_id INTEGER REFERENCES quarantine(id) ON DELETE SET NULL,
  at            INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX inbound_keys_quarantine ON inbound_keys (quarantine_id) WHERE quarantine_id IS NOT NULL;

CREATE TABLE source_cursors (
  source      TEXT PRIMARY KEY,                          -- e.g. imap:user@host/INBOX
  uidvalidity INTEGER,
  last_uid    INTEGER NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
  updated_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Escalation thresholds, precomputed when a clock cycle starts; the scan reads only the due ones.
CREATE TABLE escalation_notices (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  cycle     INTEGER NOT NULL CHECK (cycle >= 1),
  threshold TEXT NOT NULL CHECK (threshold <> ''),     -- e.g. "75%", "100%", "100%+1"
  due_at    INTEGER NOT NULL,
  sent_at   INTEGER,
  cancelled_at INTEGER,
  PRIMARY KEY (ticket_id, cycle, threshold)
) STRICT, WITHOUT ROWID;
CREATE INDEX escalation_pending_due ON escalation_notices (due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;

-- VIP coupons (seed 001): each code is consumed once; quota is counted per licence and year.
CREATE TABLE coupon_uses (
  code        TEXT PRIMARY KEY,
  licence_key TEXT NOT NULL,
  year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 9999),
  ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
  used_at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX coupon_uses_licence_year ON coupon_uses (licence_key, year);

-- Automatic answers per sender, for the hourly cap that breaks mail loops.
CREATE TABLE auto_replies (
  address TEXT NOT NULL CHECK (address = lower(address)),
  at      INTEGER NOT NULL
) STRICT;
CREATE INDEX auto_replies_address_at ON auto_replies (address, at);

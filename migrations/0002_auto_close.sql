-- Auto-close (issue 6): the instant a ticket waiting for the client closes by itself, computed when
-- it starts waiting (public staff answer, #pending) from the level's auto_close_days; NULL otherwise.
-- The lifecycle scan reads only the due rows through the partial index, never every ticket.
ALTER TABLE tickets ADD COLUMN auto_close_at INTEGER;
CREATE INDEX tickets_auto_close ON tickets (auto_close_at) WHERE auto_close_at IS NOT NULL;

-- Credential redaction after close (issue 6): set when the closed ticket's stored bodies were masked;
-- a reopen clears it. The partial index holds only the closed tickets still to be redacted.
ALTER TABLE tickets ADD COLUMN redacted_at INTEGER;
CREATE INDEX tickets_redact_pending ON tickets (closed_at) WHERE status = 'closed' AND redacted_at IS NULL;

-- Acknowledgement loop cap (issue 13 item 20, seed 4.12: a request counts as accepted only once the
-- client has the acknowledgement with its TID). One row per acknowledgement queued, with the
-- fingerprint of the request it answers (SHA-256 of its subject, text and attachments, normalized).
-- An acknowledgement is held back only for a repeat of one request within the hour or beyond a
-- flood ceiling per sender, so a person's distinct requests are all acknowledged. `at` is when the
-- request arrived at our source, so a backlog read at once after downtime is judged by the pace it
-- was sent at. The index keeps both counts to one range scan over the sender's last hour.
CREATE TABLE ack_requests (
  address     TEXT NOT NULL CHECK (address = lower(address)),
  fingerprint TEXT NOT NULL,
  at          INTEGER NOT NULL
) STRICT;
CREATE INDEX ack_requests_address_at ON ack_requests (address, at);

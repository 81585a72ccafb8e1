-- Automatic answers to staff (command-error mail) get their own hourly budget, apart from the
-- client cap in auto_replies: acknowledgements to mail in a staff member's name (a forgery an admin
-- released, say) must not use up the error replies the real staff member is owed (issue 13 item 3).
CREATE TABLE staff_auto_replies (
  address TEXT NOT NULL CHECK (address = lower(address)),
  at      INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_auto_replies_address_at ON staff_auto_replies (address, at);

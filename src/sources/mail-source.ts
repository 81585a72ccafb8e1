/**
 * The seam between where mail comes from (IMAP, Maildir, stdin) and the ingest pipeline.
 * A source hands every message to the handler and acknowledges it at the source (move to the
 * processed folder, rename into cur/) only after the handler returned, i.e. after the commit.
 */

/** Where a message sits in its source; `key` is stable across restarts and feeds the dedupe key. */
export interface SourcePosition {
  /** e.g. `imap:support@desk.example@127.0.0.1:143/INBOX`, `maildir:/srv/data/inbox`, `stdin`. */
  source: string;
  /** e.g. `uidvalidity:1700000000:uid:42`, the Maildir base name, or empty for stdin. */
  key: string;
  /**
   * When the source received the message (IMAP INTERNALDATE, Maildir file time), epoch ms. The
   * response clock starts there, so a backlog read after downtime is not given extra time.
   */
  receivedAt?: number;
}

export type IngestStatus = 'stored' | 'duplicate' | 'quarantined';

export interface IngestOutcome {
  status: IngestStatus;
  ticketId?: number;
  messageRowId?: number;
  quarantineId?: number;
}

/**
 * Stores one message durably. Throws a TidingsError with code E_SOURCE_UNAVAILABLE or any other
 * error for a temporary failure: the source must then NOT acknowledge, and retries later.
 */
export type MessageHandler = (raw: Buffer, position: SourcePosition) => IngestOutcome | Promise<IngestOutcome>;

/** One message as a source hands it over. */
export interface SourceMessage {
  raw: Buffer;
  position: SourcePosition;
}

/** A batch parsed and ready to commit; opaque to the source. */
export interface PreparedBatch {
  readonly size: number;
}

/**
 * Stores several messages together (one transaction, one fsync), in two steps so a source can
 * parse the next batch while it commits this one: `prepare` parses (no database; may run ahead),
 * `commit` stores a prepared batch in one transaction, synchronously; commits are called in source
 * order. When `commit` returns, every message is committed and may be acknowledged; when
 * `prepare` or `commit` throws, none is, and the source falls back to the MessageHandler one
 * message at a time (which stops at the message that fails).
 */
export interface BatchHandler {
  prepare(messages: readonly SourceMessage[]): Promise<PreparedBatch>;
  /** `alsoInTransaction` runs inside the same transaction, after the messages (the source's cursor). */
  commit(batch: PreparedBatch, alsoInTransaction?: () => void): IngestOutcome[];
}

/** A message the source did not load because it is larger than the limit: where it is and how big. */
export interface OversizedMessage {
  position: SourcePosition;
  size: number;
  /** Where the message stays after it is acknowledged, for the admin (the Maildir file in cur/, the IMAP folder and UID). */
  original: string;
}

/**
 * Messages over `maxBytes` are never read into memory (a file over 2 GiB cannot be): the source
 * checks the size it lists (file size, RFC822.SIZE) first and hands the message over by
 * reference; `quarantine` records it (synchronously, deduplicated by position) and the source
 * then acknowledges it like a stored message. It throws only for temporary failures.
 */
export interface OversizedPolicy {
  maxBytes: () => number;
  quarantine: (m: OversizedMessage) => IngestOutcome;
}

export type SourceState = 'starting' | 'connected' | 'reconnecting' | 'stopped';

export interface SourceStatus {
  state: SourceState;
  /** Last error text, masked, when reconnecting. */
  lastError?: string;
  reconnects: number;
  /** Age in ms of the oldest message seen but not yet processed, 0 when idle. */
  lagMs: number;
}

export interface MailSource {
  /** Connects and begins delivering; resolves once the first scan is under way. */
  start(): Promise<void>;
  /** Stops taking new mail, lets the message in flight finish, then disconnects. */
  stop(): Promise<void>;
  status(): SourceStatus;
}

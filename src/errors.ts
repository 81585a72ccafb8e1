/**
 * One error class for the whole daemon. Codes are stable: scripts, logs and tests match on them,
 * so a code is never renamed once it has shipped; add a new one instead.
 */
export const ERROR_CODES = {
  E_CONFIG_INVALID: 'configuration is invalid',
  E_CONFIG_NOT_FOUND: 'configuration file not found',
  E_SECRET_MISSING: 'a required secret is not set',
  E_SCHEMA_TOO_NEW: 'database schema is newer than this version of tidings',
  E_MIGRATION_FAILED: 'a database migration failed',
  E_DB_OPEN: 'database could not be opened',
  E_CALENDAR_EMPTY: 'calendar has no working time',
  E_DURATION_INVALID: 'duration must be positive',
  E_INSTANT_INVALID: 'not a valid point in time',
  E_ADDRESS_INVALID: 'not an e-mail address',
  E_LEVEL_UNKNOWN: 'unknown service level',
  E_CALENDAR_UNKNOWN: 'unknown calendar',
  E_TICKET_NOT_FOUND: 'ticket not found',
  E_TID_FOREIGN_SENDER: 'sender is not a participant of the ticket',
  E_MESSAGE_TOO_LARGE: 'message exceeds the size limit',
  E_MESSAGE_UNPARSEABLE: 'message could not be parsed',
  E_SOURCE_UNAVAILABLE: 'mail source is unavailable',
  E_TRANSPORT_TEMPORARY: 'temporary delivery failure',
  E_TRANSPORT_PERMANENT: 'permanent delivery failure',
  E_COMMAND_UNKNOWN: 'unknown staff command',
  E_COMMAND_INVALID: 'staff command used wrongly',
  E_STAFF_UNKNOWN: 'unknown staff member',
  E_STAFF_AUTH_FAILED: 'a staff From address failed the authentication check',
  E_RELAY_EMPTY: 'a staff reply had nothing to relay',
  E_USAGE: 'invalid command-line usage',
  E_INGEST_FAILED: 'message could not be stored',
  E_MAIL_THREAD_UNAVAILABLE: 'the mail thread (parsing, rendering) is not available',
  E_TID_INVALID: 'not a valid ticket number',
  E_TID_PREFIX_INVALID: 'the TID subject prefix is not usable',
  E_MESSAGE_ID_INVALID: 'cannot build a Message-ID from these parts',
  E_MESSAGE_ID_KEY_INVALID: 'the Message-ID signing key is missing or too short',
  E_ZONE_INVALID: 'unknown time zone',
  E_HTTP_LISTEN: 'the HTTP address (http.listen) cannot be bound',
  E_LMTP_LISTEN: 'the LMTP address (source.listen) cannot be bound',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface TidingsErrorOptions {
  cause?: unknown;
  /** Structured data a caller may print or log; never bodies or secrets. */
  details?: Record<string, unknown>;
}

export class TidingsError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, options: TidingsErrorOptions = {}) {
    super(message ?? ERROR_CODES[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TidingsError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isTidingsError(err: unknown, code?: ErrorCode): err is TidingsError {
  return err instanceof TidingsError && (code === undefined || err.code === code);
}

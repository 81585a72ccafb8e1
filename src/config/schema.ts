import { z } from 'zod';
import { parseListen } from './listen-address.js';

/**
 * The shape of the YAML, checked once at load. Keys are snake_case as admins write them;
 * load-config turns the result into the camelCase runtime config.
 */

const email = z.email({ error: 'not an e-mail address' });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'not a date (YYYY-MM-DD)' });
const timeRangeText = z.string().regex(/^\d{1,2}:\d{2}-\d{1,2}:\d{2}$/, { error: 'not a time range (HH:MM-HH:MM)' });
const durationText = z.string().regex(/^\d+(\.\d+)?\s*[mhd]$/, { error: 'not a duration (e.g. 90m, 24h, 14d)' });
const percentText = z.string().regex(/^\d+(\.\d+)?%$/, { error: 'not a percentage (e.g. 75%)' });
const key = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, { error: 'keys use letters, digits, "-", "_" and "."' });
const language = z.enum(['en', 'ru']);

/** A secret is never written in YAML: it names an env var or a file that holds it. */
const secretRef = {
  password_env: z.string().optional(),
  password_file: z.string().optional(),
};

const mailbox = z.strictObject({
  address: email,
  name: z.string().default('Support'),
  /** Other addresses that reach the same mailbox (aliases); never treated as participants. */
  aliases: z.array(email).default([]),
});

const imapSource = z.strictObject({
  kind: z.literal('imap'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(993),
  secure: z.boolean().default(false),
  user: z.string().min(1),
  ...secretRef,
  folder: z.string().default('INBOX'),
  processed_folder: z.string().default('Processed'),
  poll_seconds: z.number().int().min(5).default(60),
  fetch_timeout_seconds: z.number().int().min(5).default(120),
  /** Messages per transaction; the first window after start ramps up to it from 16 (FIRST_BATCH). */
  batch_size: z.number().int().min(1).max(1000).default(250),
});

const maildirSource = z.strictObject({
  kind: z.literal('maildir'),
  path: z.string().min(1),
  poll_seconds: z.number().min(0.1).default(2),
  /** Files per transaction; each scan's batches ramp up to it from 16 (FIRST_BATCH). */
  batch_size: z.number().int().min(1).max(1000).default(250),
});

const stdinSource = z.strictObject({ kind: z.literal('stdin') });

/** `host:port` (IPv6 in brackets) with a port in 1-65535, or `unix:<path>` (relative to the config file). */
const lmtpListen = z
  .string()
  .regex(/^(unix:.+|(\[[0-9a-f:.]+\]|[^:\s[\]]+):\d{1,5})$/i, { error: 'not host:port or unix:/path/to/socket' })
  .refine((s) => {
    const t = parseListen(s);
    return 'path' in t || (t.port >= 1 && t.port <= 65535);
  }, { error: 'port out of range (1-65535)' });

/**
 * The MTA delivers straight to the daemon over LMTP (RFC 2033): 250 per recipient only once the
 * message is committed, 451 on a temporary failure so the MTA retries.
 */
const lmtpSource = z.strictObject({
  kind: z.literal('lmtp'),
  listen: lmtpListen.default('127.0.0.1:2424'),
  /** Messages stored per transaction at most; those arriving within a few milliseconds share one. */
  batch_size: z.number().int().min(1).max(1000).default(250),
  /** Connections served at once; each holds at most one message (limits.max_message_bytes) in memory. */
  max_connections: z.number().int().min(1).max(1000).default(20),
  /** Permissions of a unix socket (octal), so the MTA's user can connect, e.g. "660" with a shared group. */
  socket_mode: z.string().regex(/^0?[0-7]{3}$/, { error: 'not an octal mode (e.g. 660)' }).default('660'),
});

const smtpTransport = z.strictObject({
  kind: z.literal('smtp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(25),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  ...secretRef,
  pool: z.boolean().default(true),
  max_connections: z.number().int().min(1).default(2),
});

const fileTransport = z.strictObject({ kind: z.literal('file'), path: z.string().min(1) });

const store = z.strictObject({
  path: z.string().min(1),
  synchronous: z.enum(['off', 'normal', 'full', 'extra']).default('full'),
  busy_timeout_ms: z.number().int().min(0).default(5000),
  /** SQLite page cache of the daemon's connection, MiB: a batch's dirty pages stay in memory until its commit. */
  cache_mb: z.number().int().min(1).max(4096).default(32),
});

const security = z.strictObject({
  hmac_key_env: z.string().optional(),
  hmac_key_file: z.string().optional(),
});

const limits = z.strictObject({
  /**
   * Larger messages are not read: quarantined by reference (the file or IMAP message stays where
   * the source acknowledges it), or refused over LMTP (552, the MTA keeps it). A message is parsed whole in memory, hence the 1 GiB ceiling.
   */
  max_message_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Automatic answers other than the acknowledgement (BMP note, command errors) to one address per hour. */
  auto_replies_per_sender_per_hour: z.number().int().min(0).default(5),
  /**
   * Acknowledgements one request (same sender, subject, text and attachments) gets per hour; a repeat
   * beyond it is a resend or an auto-responder loop and is held back. A distinct request always counts
   * apart (seed 4.12: a request is accepted only once its acknowledgement went out).
   */
  acks_per_request_per_hour: z.number().int().min(1).default(1),
  /** Acknowledgements to one sender per hour whatever they write: a flood ceiling far above what a person sends. */
  acks_per_sender_per_hour: z.number().int().min(1).default(50),
  /**
   * Automatic mail to a client (acknowledgement, closing mail, BMP note) at an address whose
   * domain has no dot (root@localhost, cron@build01). Off: such a domain only means something
   * inside the sender's own network, so an answer would bounce or reach the wrong host.
   */
  auto_reply_dotless_domains: z.boolean().default(false),
  /**
   * Command-error mails to one authenticated staff member per hour: a budget of their own, so
   * automatic answers to mail in their name never use up the errors they are owed. Still a cap:
   * a staff auto-responder answering an error mail would otherwise get another one back each time.
   */
  command_errors_per_staff_per_hour: z.number().int().min(0).default(10),
});

const http = z.strictObject({
  listen: z.string().regex(/^[^:]+:\d+$/, { error: 'not host:port' }).default('127.0.0.1:8025'),
  enabled: z.boolean().default(true),
});

const spam = z.strictObject({
  flag_header: z.string().default('X-Spam-Flag'),
  status_header: z.string().default('X-Spam-Status'),
  quarantine: z.boolean().default(true),
});

export const mainFileSchema = z.strictObject({
  mailbox,
  source: z.discriminatedUnion('kind', [imapSource, maildirSource, lmtpSource, stdinSource]),
  transport: z.discriminatedUnion('kind', [smtpTransport, fileTransport]),
  store,
  tid: z.strictObject({ prefix: z.string().min(1).default('TID#') }).default({ prefix: 'TID#' }),
  security: security.default({}),
  limits: limits.default({ max_message_bytes: 25 * 1024 * 1024, auto_replies_per_sender_per_hour: 5, acks_per_request_per_hour: 1, acks_per_sender_per_hour: 50, auto_reply_dotless_domains: false, command_errors_per_staff_per_hour: 10 }),
  http: http.default({ listen: '127.0.0.1:8025', enabled: true }),
  spam: spam.default({ flag_header: 'X-Spam-Flag', status_header: 'X-Spam-Status', quarantine: true }),
  /** Client mail language, the last resort after a clear message language and the licence's. */
  language: language.default('en'),
  reopen_days: z.number().int().min(0).default(14),
  /** Mask credentials (password lines, URL passwords) in the stored bodies and raw text parts of tickets closed this many days ago; off when absent. */
  redact_credentials_after_days: z.number().int().min(1).optional(),
  /** The escalation loop: how often it looks for due notices, and how many it handles per scan. */
  escalation: z
    .strictObject({ tick_seconds: z.number().int().min(1).max(3600).default(60), batch: z.number().int().min(1).max(100_000).default(500) })
    .default({ tick_seconds: 60, batch: 500 }),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
      /** json for production (journald, Docker, collectors); pretty for a person at a terminal (pino-pretty). */
      format: z.enum(['json', 'pretty']).default('json'),
      /** Append the log to this file (relative to the config file) instead of stdout; unset: stdout. */
      file: z.string().min(1).optional(),
    })
    .default({ level: 'info', format: 'json' }),
  include: z.array(z.string()).default([]),
});

const weekSchema = z.strictObject({
  mon: z.array(timeRangeText).optional(),
  tue: z.array(timeRangeText).optional(),
  wed: z.array(timeRangeText).optional(),
  thu: z.array(timeRangeText).optional(),
  fri: z.array(timeRangeText).optional(),
  sat: z.array(timeRangeText).optional(),
  sun: z.array(timeRangeText).optional(),
});

const calendarSchema = z.strictObject({
  zone: z.string().min(1),
  week: weekSchema,
  public_holidays: z.strictObject({ country: z.string().min(2), state: z.string().optional(), region: z.string().optional() }).optional(),
  /** Explicit closed days: a list of dates, or date → name. Explicit entries win over public holidays. */
  holidays: z.union([z.array(isoDate), z.record(isoDate, z.string())]).default([]),
  /** Worked days that are normally off (transferred Saturdays): dates worked with the Monday schedule, or date → ranges. */
  extra_working: z.union([z.array(isoDate), z.record(isoDate, z.array(timeRangeText))]).default([]),
  shortened: z.record(isoDate, z.array(timeRangeText)).default({}),
});

const notifyTarget = z.enum(['assignee', 'staff', 'supervisor']);

const escalationSchema = z.strictObject({
  at: percentText,
  notify: z.array(notifyTarget).min(1),
  /** Re-notify every N business hours after this threshold, at most `max_repeats` times. */
  repeat_every: durationText.optional(),
  max_repeats: z.number().int().min(0).default(0),
});

const levelSchema = z.strictObject({
  name: z.strictObject({ en: z.string().min(1), ru: z.string().optional() }),
  response: durationText,
  clock: z.enum(['business', '24x7', 'calendar-days']),
  calendar: key.optional(),
  escalate: z.array(escalationSchema).default([]),
  auto_close_days: z.number().int().min(0).optional(),
});

const ruleValue = z.union([z.string(), z.array(z.string()).min(1), z.boolean()]);
const ruleSchema = z.strictObject({
  when: z.partialRecord(
    z.enum(['licence.type', 'licence.edition', 'licence.status', 'coupon', 'urgent']),
    ruleValue,
  ).optional(),
  otherwise: z.literal(true).optional(),
  level: key,
  reason: z.string().optional(),
});

const licenceType = z.enum(['partner', 'commercial', 'non-commercial', 'nfr', 'demo']);

const selectionSchema = z.strictObject({
  /** Used when no rule matches; also the level for unknown senders and expired support. */
  fallback_level: key,
  /** Seed 003 4.2.5: a licence number quoted in the message identifies the licence. */
  licence_from_message: z.boolean().default(false),
  /** Seed 002: a marker in the subject asks for the urgent level. Plain text, matched case-insensitively. */
  urgent_marker: z.string().min(1).optional(),
  /** Seed 001: VIP coupons quoted in the subject or body. */
  vip_coupons: z.boolean().default(false),
  /** Calendar used for the acknowledgement's working hours when a level has none (24x7). */
  default_calendar: key.optional(),
  /**
   * Support windows by licence type, in days counted from the licence's support_from (day 1).
   * Seed 001 table 2.6: non-commercial support lasts 30 days. Types not listed use support_until.
   */
  support_days: z.partialRecord(licenceType, z.number().int().min(1)).default({}),
});

const licenceSchema = z.strictObject({
  key: z.string().min(1),
  type: licenceType,
  edition: z.string().min(1),
  owner: z.string().min(1),
  /** First day of support (purchase, registration, trial start); ends it for types with selection.support_days. */
  support_from: isoDate.optional(),
  /** Last day of support, inclusive. Required unless support_from and a support window end it. */
  support_until: isoDate.optional(),
  emails: z.array(email).default([]),
  domains: z.array(z.string().regex(/^(\*\.)?[a-z0-9.-]+\.[a-z]{2,}$/i, { error: 'not a domain (example.com or *.example.com)' })).default([]),
  vip_coupons: z.strictObject({ per_year: z.number().int().min(0), codes: z.array(z.string().min(4)).default([]) }).optional(),
  /** This licence's mail language when the client's message does not clearly show one. */
  language: language.optional(),
});

const staffMemberSchema = z.strictObject({
  key: key,
  name: z.string().min(1),
  email: email,
  roles: z.array(z.enum(['agent', 'supervisor'])).default(['agent']),
});

const staffNotifySchema = z.strictObject({
  /** Mail staff about every new ticket. */
  new_ticket: z.boolean().default(true),
  /** Mail staff about every further client message on a ticket. */
  client_message: z.boolean().default(true),
  /**
   * Loop breaker: at most this many notifications per ticket per hour. Two auto-responders (a
   * client's and a staff member's) that both ignore Auto-Submitted would otherwise keep a ticket
   * bouncing between them; real tickets never get near it.
   */
  per_ticket_per_hour: z.number().int().min(1).default(20),
});

const STAFF_NOTIFY_DEFAULTS = { new_ticket: true, client_message: true, per_ticket_per_hour: 20 };

const staffSchema = z.strictObject({
  members: z.array(staffMemberSchema).default([]),
  require_auth: z.boolean().default(true),
  /** authserv-id of our own mail server in Authentication-Results. */
  authserv_id: z.string().optional(),
  /**
   * Host names our own mail servers write in the `by` clause of Received. An Authentication-Results
   * field counts only above the first Received written by another host. Empty: the position is not
   * checked (the top-most field with authserv_id counts), safe only when the MTA removes such
   * fields from incoming mail or always writes its own.
   */
  trusted_hosts: z.array(z.string().regex(/^[a-z0-9.-]+$/i, { error: 'not a host name' })).default([]),
  /** dkim: tidings verifies the DKIM signature of staff mail itself; Authentication-Results are not read. */
  verify: z.enum(['dkim']).optional(),
  /**
   * Pinned DKIM public keys for verify: dkim, by DNS name (selector._domainkey.domain) to the TXT
   * record's text; names not listed are looked up in DNS.
   */
  dkim_keys: z
    .record(
      z.string().regex(/^[^.\s]+(\.[^.\s]+)*\._domainkey\.[a-z0-9.-]+$/i, { error: 'not a DKIM key name (selector._domainkey.domain)' }),
      z.string().regex(/(^|;)\s*p=/, { error: 'not a DKIM key record (v=DKIM1; k=rsa; p=...)' }),
    )
    .default({}),
  /** The team's shared address for notifications; without it they go to every member with the agent role. */
  group: email.optional(),
  notify: staffNotifySchema.default(STAFF_NOTIFY_DEFAULTS),
});

export const includedSchema = {
  calendars: z.record(key, calendarSchema),
  levels: z.record(key, levelSchema),
  rules: z.array(ruleSchema).min(1),
  selection: selectionSchema,
  licences: z.array(licenceSchema),
  staff: staffSchema,
};

export const configSchema = mainFileSchema.extend({
  calendars: includedSchema.calendars.default({}),
  levels: includedSchema.levels,
  rules: includedSchema.rules,
  selection: includedSchema.selection,
  licences: includedSchema.licences.default([]),
  staff: includedSchema.staff.default({ members: [], require_auth: true, trusted_hosts: [], dkim_keys: {}, notify: STAFF_NOTIFY_DEFAULTS }),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawCalendar = z.infer<typeof calendarSchema>;
export type RawLevel = z.infer<typeof levelSchema>;
export type RawRule = z.infer<typeof ruleSchema>;
export type RawLicence = z.infer<typeof licenceSchema>;
export type RawStaffMember = z.infer<typeof staffMemberSchema>;

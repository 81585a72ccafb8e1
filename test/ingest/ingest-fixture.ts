import { pino } from 'pino';
import { afterEach } from 'vitest';
import { buildLevelSelector } from '../../src/app/level-selector.js';
import { buildServiceLevels } from '../../src/app/service-levels.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ingestMessage, type IngestOptions } from '../../src/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/ingest/ingest-deps.js';
import type { OutboundMail } from '../../src/outbox/outbound-mail.js';
import type { SourcePosition } from '../../src/sources/mail-source.js';
import { migrate } from '../../src/store/migrate.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createRepositories, type Repositories } from '../../src/store/repositories.js';
import { writeConfigDir, type ConfigDir } from '../config/config-fixture.js';

export const HMAC_KEY = Buffer.alloc(32, 7);

export interface Desk {
  deps: IngestDeps;
  repos: Repositories;
  dir: ConfigDir;
  clock: { now: number };
  ingest(raw: string | Buffer, position?: Partial<SourcePosition>, options?: IngestOptions): ReturnType<typeof ingestMessage>;
  acks(): { ticketId: number | null; messageId: string; recipients: string[]; mail: OutboundMail }[];
  close(): void;
}

let counter = 0;

/** An in-memory desk over the fixture config (Berlin 9-18, commercial 24h / non-commercial 48h). */
export function openDesk(overrides: Record<string, string | null> = {}, startIso = '2026-11-23T10:00:00+01:00', configFile?: string): Desk {
  const dir = writeConfigDir(overrides);
  const config = loadConfig(configFile ?? dir.main);
  const db = openDatabase(':memory:');
  migrate(db);
  const repos = createRepositories(db);
  const clock = { now: Date.parse(startIso) };
  let nonce = 0;
  const deps: IngestDeps = {
    config,
    levels: buildServiceLevels(config),
    selector: buildLevelSelector(config),
    repos,
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    hmacKeys: [HMAC_KEY],
    randomBytes: (n) => {
      nonce += 1;
      const b = Buffer.alloc(n);
      b.writeUInt32BE(nonce, 0);
      return b;
    },
  };
  return {
    deps,
    repos,
    dir,
    clock,
    ingest: (raw, position = {}, options = {}) =>
      ingestMessage(deps, Buffer.isBuffer(raw) ? raw : Buffer.from(raw.replace(/\r?\n/g, '\r\n')), { source: 'test', key: `k${++counter}`, ...position }, options),
    acks: () =>
      db
        .prepare<[], { ticket_id: number | null; message_id: string; recipients: string; mail: string }>(`SELECT ticket_id, message_id, recipients, mail FROM outbox WHERE kind = 'ack' ORDER BY id`)
        .all()
        .map((r) => ({ ticketId: r.ticket_id, messageId: r.message_id, recipients: JSON.parse(r.recipients) as string[], mail: JSON.parse(r.mail) as OutboundMail })),
    close: () => {
      db.close();
      dir.remove();
    },
  };
}

export interface MailSpec {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
  body?: string;
  date?: string;
}

let mid = 0;

export function mail(spec: MailSpec = {}): string {
  const lines = [
    `From: ${spec.from ?? 'Ann Client <ann@client.example>'}`,
    `To: ${spec.to ?? 'support@desk.example'}`,
    ...(spec.cc ? [`Cc: ${spec.cc}`] : []),
    `Subject: ${spec.subject ?? 'Cannot log in'}`,
    `Date: ${spec.date ?? 'Mon, 23 Nov 2026 10:00:00 +0100'}`,
    `Message-ID: <${spec.messageId ?? `m${++mid}.${Date.now()}@client.example`}>`,
    ...(spec.inReplyTo ? [`In-Reply-To: <${spec.inReplyTo}>`] : []),
    ...(spec.references ? [`References: ${spec.references}`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    spec.body ?? 'Hello, I cannot log in since this morning.',
    '',
  ];
  return lines.join('\n');
}

/** Wraps a desk opener so every desk it opens is closed after each test of the calling file. */
export function closedAfterEach<A extends unknown[]>(open: (...args: A) => Desk): (...args: A) => Desk {
  const desks: Desk[] = [];
  afterEach(() => {
    while (desks.length) desks.pop()!.close();
  });
  return (...args: A) => {
    const d = open(...args);
    desks.push(d);
    return d;
  };
}

import { simpleParser, type ParsedMail } from 'mailparser';
import { createLogger, type Logger } from '../../src/log/logger.js';
import type { OutboundMail } from '../../src/outbox/outbound-mail.js';
import type { Repositories } from '../../src/store/repositories.js';
import { freshRepos, newTicket, T0 } from '../store/helpers.js';

export { T0 };

export const SECOND = 1000;
export const SUPPORT = 'support@desk.example';
export const BODY_MARKER = 'Body-marker-7f3a: your request has been registered';

/** A logger writing into memory, at debug level so every line is checked. */
export function memoryLogger(): { logger: Logger; text: () => string; events: () => string[] } {
  const chunks: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void chunks.push(s) } });
  const text = (): string => chunks.join('');
  const events = (): string[] =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { event?: string }).event ?? '');
  return { logger, text, events };
}

/** A settable clock. */
export function testClock(start = T0): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => void (t = v), advance: (ms) => void (t += ms) };
}

export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export interface AckFixture {
  repos: Repositories;
  tid: number;
  outboxId: number;
  messageId: string;
  mail: OutboundMail;
}

export function ackMail(tid: number, over: Partial<OutboundMail> = {}): OutboundMail {
  return {
    from: { address: SUPPORT, name: 'Support' },
    to: ['ann@client.example'],
    subject: `[TID#${tid}] Printer on fire`,
    text: `Hello,\n\n${BODY_MARKER}.\nЗаявка зарегистрирована.\nPlease keep [TID#${tid}] in the subject.\n`,
    inReplyTo: 'orig-1@client.example',
    references: ['orig-0@client.example', 'orig-1@client.example'],
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Tidings-Ticket': String(tid) },
    date: T0,
    ...over,
  };
}

/** A ticket and its acknowledgement row, with a PNG attachment in the blob store. */
export function enqueueAck(repos: Repositories = freshRepos(), over: Partial<OutboundMail> = {}, at = T0): AckFixture {
  const t = newTicket(repos, { subject: 'Printer on fire', at });
  const png = repos.blobs.put(PNG);
  const messageId = `tid${t.tid}.ack.0123abcd@desk.example`;
  const mail = ackMail(t.tid, { attachments: [{ sha256: png.sha256, filename: 'screen.png', contentType: 'image/png' }], ...over });
  const outboxId = repos.outbox.enqueueOutbox({
    ticketId: t.tid,
    kind: 'ack',
    messageId,
    recipients: mail.to,
    subject: mail.subject,
    mail,
    at,
  });
  return { repos, tid: t.tid, outboxId, messageId, mail };
}

/** A plain notification row (no ticket side effects) with a given message id. */
export function enqueuePlain(repos: Repositories, n: number, at = T0, recipients = ['ann@client.example']): number {
  const mail: OutboundMail = {
    from: { address: SUPPORT },
    to: recipients,
    subject: `note ${n}`,
    text: `note ${n}\n`,
    headers: { 'Auto-Submitted': 'auto-generated' },
    date: at,
  };
  return repos.outbox.enqueueOutbox({ kind: 'notification', messageId: `note${n}.x@desk.example`, recipients, subject: mail.subject, mail, at });
}

export function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw);
}

export function eventsOf(repos: Repositories, type: string) {
  return repos.events.listByType(type, 0, 1000);
}

export function messageIdHeader(raw: Buffer): string | undefined {
  return /^Message-ID: (.*)\r$/m.exec(raw.toString('latin1'))?.[1];
}

import type { Config } from '../config/config.js';
import { makeMessageId } from '../core/mail/message-id.js';
import { subjectWithTag } from '../core/mail/tid-tag.js';
import type { OutboundAttachment, OutboundMail } from '../outbox/outbound-mail.js';
import { mailDomain, type BuiltMail } from './acknowledgement-mail.js';

export interface RelayInput {
  tid: number;
  /** The ticket's subject (the client's words), never the staff member's: an edited subject line is internal. */
  ticketSubject: string;
  /** The requester first; the other participants go to Cc. */
  to: string;
  cc: string[];
  /** Already cleaned of commands, quotes and signature. */
  text: string;
  attachments: OutboundAttachment[];
  /** The client's last message, so the answer threads in the client's mail program. */
  replyTo: { messageId: string | undefined; references: string[] };
  at: number;
}

/**
 * A staff answer as the client receives it: from the support mailbox, subject `[TID#n] ...`, the
 * staff member's words and attachments, threaded to the client's last message. Built only from
 * ticket data and the cleaned text, so nothing of the staff member's own mail (From, Reply-To,
 * Sender, Cc, X-Mailer, Received, signature) can reach the client.
 *
 * No Auto-Submitted header: a person wrote this answer, we only carry it. Marking it automatic
 * would tell the client's mail system that it may be filtered or silently dropped as robot mail,
 * and tell a client's responder not to answer, which is the client's business, not ours. Loop
 * safety does not need it: the relay is sent once per staff message, never in answer to a client.
 */
export function buildRelay(r: RelayInput, deps: { config: Config; hmacKey: Buffer; nonce: Uint8Array }): BuiltMail {
  const { config } = deps;
  const subject = subjectWithTag(r.tid, r.ticketSubject, config.tid.prefix);
  const messageId = makeMessageId({ tid: r.tid, kind: 'relay', nonce: deps.nonce, domain: mailDomain(config) }, deps.hmacKey);
  const references = [...r.replyTo.references, ...(r.replyTo.messageId ? [r.replyTo.messageId] : [])].slice(-20);
  const body = r.text === '' ? '' : `${r.text}\n\n`;
  const mail: OutboundMail = {
    from: { address: config.mailbox.address, name: config.mailbox.name },
    to: [r.to],
    subject,
    // The staff member's own signature was removed; the desk signs instead.
    text: `${body}-- \n${config.mailbox.name}\n`,
    headers: { 'X-Tidings-Ticket': String(r.tid) },
    date: r.at,
  };
  if (r.cc.length) mail.cc = r.cc;
  if (r.attachments.length) mail.attachments = r.attachments;
  if (r.replyTo.messageId) mail.inReplyTo = r.replyTo.messageId;
  if (references.length) mail.references = references;
  return { messageId, subject, mail };
}

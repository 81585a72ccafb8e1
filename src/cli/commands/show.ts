import { openStore } from '../../app/open-store.js';
import { buildServiceLevels } from '../../app/service-levels.js';
import { loadConfig } from '../../config/load-config.js';
import { TidingsError } from '../../errors.js';
import { ackState, ackStateText } from '../ack-state.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';
import { formatInZone } from '../time-format.js';

export interface ShowOptions {
  config?: string | undefined;
  json?: boolean | undefined;
  /** Print the full text instead of the visible part. */
  full?: boolean | undefined;
}

/** Accepts `42`, `TID#42` or `[TID#42]`, since admins paste from subjects. */
export function parseTidArgument(text: string): number {
  const m = /(\d+)\]?\s*$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new TidingsError('E_USAGE', `not a ticket number: "${text}"`);
  return n;
}

export function showCommand(io: CliIo, tidText: string, opts: ShowOptions): ExitCode {
  try {
    const tid = parseTidArgument(tidText);
    const config = loadConfig(resolveConfigPath(io, opts.config));
    const repos = openStore(config);
    try {
      const ticket = repos.tickets.findTicketByTid(tid);
      if (!ticket) throw new TidingsError('E_TICKET_NOT_FOUND', `ticket ${config.tid.prefix}${tid} not found`);
      const participants = repos.participants.listParticipants(tid);
      const messages = repos.messages.listByTicket(tid).map((m) => ({ ...m, attachments: repos.messages.listAttachments(m.id) }));
      const events = repos.events.listByTicket(tid);
      const escalations = repos.escalations.listByTicket(tid);
      const ack = ackState(events, (id) => repos.outbox.getOutbox(id), ticket.ackSentAt);
      if (opts.json) {
        printJson(io, { ticket, ack, participants, messages, events, escalations });
        return EXIT.OK;
      }
      const levels = buildServiceLevels(config);
      const zone = config.levels[ticket.level] ? levels.level(ticket.level).zone : 'UTC';
      io.out(`[${config.tid.prefix}${tid}] ${ticket.subject}`);
      io.out(`status     ${ticket.status}`);
      io.out(`level      ${ticket.level}${ticket.levelReason ? ` (${ticket.levelReason})` : ''}`);
      io.out(`requester  ${ticket.requesterName ? `${ticket.requesterName} <${ticket.requester}>` : ticket.requester}`);
      if (ticket.licenceKey) io.out(`licence    ${ticket.licenceKey}`);
      if (ticket.assignee) io.out(`assignee   ${ticket.assignee}`);
      io.out(`created    ${formatInZone(ticket.createdAt, zone)}`);
      if (ticket.responseDueAt !== null) io.out(`due        ${formatInZone(ticket.responseDueAt, zone)} (cycle ${ticket.cycle})`);
      io.out(`ack sent   ${ackStateText(ack, (ms) => formatInZone(ms, zone))}`);
      if (ticket.linkedTicketId) io.out(`linked to  ${config.tid.prefix}${ticket.linkedTicketId}`);
      io.out(`participants ${participants.map((p) => `${p.address} (${p.role})`).join(', ') || 'none'}`);
      for (const m of messages) {
        io.out('');
        const who = m.direction === 'in' ? (m.fromAddr ?? 'unknown sender') : `to ${m.to.join(', ')}`;
        io.out(`--- #${m.id} ${m.direction === 'in' ? '←' : '→'} ${m.kind}${m.visibility === 'internal' ? ' (internal)' : ''}, ${formatInZone(m.receivedAt, zone)}, ${who}`);
        if (m.subject) io.out(`Subject: ${m.subject}`);
        for (const a of m.attachments) io.out(`Attachment: ${a.filename ?? '(unnamed)'} ${a.contentType} ${a.size} bytes sha256:${a.sha256.slice(0, 12)}`);
        const body = (opts.full ? m.textBody : (m.visibleText ?? m.textBody)) ?? '';
        io.out(body.trimEnd() || '(no text)');
      }
      if (escalations.length > 0) {
        io.out('');
        io.out('escalation notices:');
        for (const n of escalations) {
          const state = n.sentAt !== null ? `sent ${formatInZone(n.sentAt, zone)}` : n.cancelledAt !== null ? 'cancelled' : 'pending';
          io.out(`  cycle ${n.cycle} ${n.threshold.padEnd(8)} due ${formatInZone(n.dueAt, zone)}  ${state}`);
        }
      }
      io.out('');
      io.out('events:');
      for (const e of events) io.out(`  ${formatInZone(e.at, zone)}  ${e.type}${e.actor ? ` by ${e.actor}` : ''}`);
      return EXIT.OK;
    } finally {
      repos.db.close();
    }
  } catch (err) {
    return reportError(io, err);
  }
}

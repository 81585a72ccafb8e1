import { computeDeadline } from '../core/calendar/deadline.js';
import { checkCommands, type CheckedCommand } from '../core/staff/check-commands.js';
import { relayText } from '../core/staff/relay-text.js';
import type { StaffAuthDecision } from '../core/staff/staff-auth.js';
import { parseStaffCommands } from '../core/staff/staff-commands.js';
import { isTidingsError } from '../errors.js';
import type { ParsedMessage } from '../mail/parse-message.js';
import type { Ticket } from '../store/ticket-repository.js';
import { threadFor } from './client-message.js';
import { queueCommandError } from './command-error-mail.js';
import { cancelEscalations, scheduleEscalations } from './escalation-schedule.js';
import { planAutoClose } from './auto-close.js';
import type { IngestDeps } from './ingest-deps.js';
import { queueClosingMail } from './lifecycle-mail.js';
import { buildRelay } from './relay-mail.js';
import { storeMessage } from './store-message.js';

export interface StaffOutcome {
  ticketId?: number;
  messageRowId: number;
  /** staff.reply, staff.note, staff.commands, staff.rejected, staff.empty, staff.no-ticket */
  kind: string;
  mailQueued: boolean;
}

export interface StaffMessage {
  parsed: ParsedMessage;
  raw: Buffer;
  /** The authenticated staff address (lower case). */
  sender: string;
  auth: Extract<StaffAuthDecision, { trusted: true }>;
  receivedAt: number;
  at: number;
}

/**
 * A message from an authenticated staff member: find the ticket, check the commands on its first
 * lines, relay the answer to the client, apply the commands. Runs inside the ingest transaction,
 * so the stored message, the ticket changes, the events and the outbox rows commit together.
 *
 * A refused message (unknown command, unknown level or staff member, no ticket, nothing left to
 * send) changes nothing on the ticket and relays nothing; the sender gets the reason by mail.
 */
export function handleStaffMessage(deps: IngestDeps, m: StaffMessage): StaffOutcome {
  const { repos, config } = deps;
  const { parsed, sender, at } = m;
  const store = (ticketId: number | null, kind: string, visibility: 'public' | 'internal'): number =>
    storeMessage(repos, { ticketId, kind, visibility, parsed, raw: m.raw, receivedAt: m.receivedAt });
  const event = (ticketId: number | null, type: string, data: Record<string, unknown>): void => {
    repos.events.recordEvent({ ticketId, at, type, actor: sender, data });
  };

  const decision = threadFor(deps, parsed, sender, true, at);
  if (decision.action === 'new') {
    const id = store(null, 'staff', 'internal');
    event(null, 'staff.no_ticket', { messageRowId: id, auth: m.auth.method });
    const mailQueued = queueCommandError(deps, { ticket: undefined, to: sender, kind: 'no-ticket', code: 'E_TICKET_NOT_FOUND', parsed, at });
    return { messageRowId: id, kind: 'staff.no-ticket', mailQueued };
  }
  const ticket = repos.tickets.findTicketByTid(decision.ticketId)!;

  let commands: CheckedCommand[];
  let rest: string;
  try {
    const p = parseStaffCommands(parsed.text);
    commands = checkCommands(p.commands, { levels: Object.keys(config.levels), staff: config.staff.members });
    rest = p.rest;
  } catch (err) {
    if (!isTidingsError(err)) throw err;
    const id = store(ticket.tid, 'staff', 'internal');
    // The command name only: the offending line is the sender's text and goes to the sender alone.
    event(ticket.tid, 'command.rejected', { messageRowId: id, code: err.code, command: err.details.command ?? null });
    const mailQueued = queueCommandError(deps, { ticket, to: sender, kind: 'command', code: err.code, error: err.message, parsed, at });
    return { ticketId: ticket.tid, messageRowId: id, kind: 'staff.rejected', mailQueued };
  }

  const isNote = commands.some((c) => c.name === 'note');
  const text = isNote ? '' : relayText(rest);
  // Only real attachments travel: inline parts belong to an HTML body we do not relay, and are
  // mostly signature logos.
  const attachments = isNote ? [] : parsed.attachments.filter((a) => a.disposition === 'attachment');
  const relay = !isNote && (text !== '' || attachments.length > 0);

  if (!isNote && !relay && commands.length === 0) {
    const id = store(ticket.tid, 'staff', 'internal');
    event(ticket.tid, 'staff.reply_empty', { messageRowId: id });
    const mailQueued = queueCommandError(deps, { ticket, to: sender, kind: 'empty', code: 'E_RELAY_EMPTY', parsed, at });
    return { ticketId: ticket.tid, messageRowId: id, kind: 'staff.empty', mailQueued };
  }

  const id = store(ticket.tid, isNote ? 'note' : 'staff', relay ? 'public' : 'internal');
  let mailQueued = false;
  // The relay goes first so that a #close or #pending on the same message decides the final status.
  if (relay) mailQueued = relayToClient(deps, ticket, { ...m, text, attachments, messageRowId: id });
  for (const c of commands) applyCommand(deps, ticket.tid, c, { sender, at, messageRowId: id });
  const kind = isNote ? 'staff.note' : relay ? 'staff.reply' : 'staff.commands';
  return { ticketId: ticket.tid, messageRowId: id, kind, mailQueued };
}

function relayToClient(
  deps: IngestDeps,
  ticket: Ticket,
  r: StaffMessage & { text: string; attachments: ParsedMessage['attachments']; messageRowId: number },
): boolean {
  const { repos, config } = deps;
  const participants = repos.participants.listParticipants(ticket.tid);
  const requester = participants.find((p) => p.role === 'requester')?.address ?? ticket.requester;
  const cc = participants.map((p) => p.address).filter((a) => a !== requester);
  const lastClient = repos.messages
    .listByTicket(ticket.tid)
    .filter((msg) => msg.direction === 'in' && msg.kind === 'client' && msg.messageId !== null)
    .at(-1);
  const built = buildRelay(
    {
      tid: ticket.tid,
      ticketSubject: ticket.subject,
      to: requester,
      cc,
      text: r.text,
      attachments: r.attachments.map((a) => ({ sha256: a.sha256, contentType: a.contentType, ...(a.filename ? { filename: a.filename } : {}) })),
      replyTo: { messageId: lastClient?.messageId ?? undefined, references: lastClient?.references ?? [] },
      at: r.at,
    },
    { config, hmacKey: deps.hmacKeys[0]!, nonce: deps.randomBytes(10) },
  );
  const recipients = [requester, ...cc];
  const outboxId = repos.outbox.enqueueOutbox({ ticketId: ticket.tid, kind: 'relay', messageId: built.messageId, recipients, subject: built.subject, mail: built.mail, at: r.at });
  // A public answer stops the clock until the client writes again (DESIGN §2 "Clock").
  stopClock(deps, ticket.tid, r.at);
  if (ticket.status !== 'closed') {
    repos.tickets.setStatus(ticket.tid, 'awaiting-client', r.at);
    planAutoClose(deps, ticket.tid, r.at);
  }
  repos.tickets.markFirstResponse(ticket.tid, r.at);
  repos.events.recordEvent({
    ticketId: ticket.tid,
    at: r.at,
    type: 'staff.replied',
    actor: r.sender,
    data: { messageRowId: r.messageRowId, outboxId, messageId: built.messageId, recipients: recipients.length, attachments: r.attachments.length, auth: r.auth.method },
  });
  return true;
}

function stopClock(deps: IngestDeps, tid: number, at: number): void {
  deps.repos.tickets.setDeadline(tid, { clockStartedAt: null, responseDueAt: null }, at);
  cancelEscalations(deps, tid, at);
}

function applyCommand(deps: IngestDeps, tid: number, c: CheckedCommand, ctx: { sender: string; at: number; messageRowId: number }): void {
  const { repos } = deps;
  const { at } = ctx;
  const before = repos.tickets.findTicketByTid(tid)!;
  const record = (data: Record<string, unknown>): void => {
    repos.events.recordEvent({ ticketId: tid, at, type: `command.${c.name}`, actor: ctx.sender, data: { messageRowId: ctx.messageRowId, ...data } });
  };
  switch (c.name) {
    case 'note':
      record({});
      return;
    case 'close':
      stopClock(deps, tid, at);
      repos.tickets.setStatus(tid, 'closed', at);
      repos.tickets.setAutoCloseAt(tid, null);
      record({ previousStatus: before.status });
      // The closing mail (rating request, credential reminder) goes once, when the ticket closes.
      if (before.status !== 'closed') queueClosingMail(deps, tid, at, { auto: false });
      return;
    case 'pending':
      // Waiting for the client without answering: the clock stops as after an answer; a closed
      // ticket is opened again, which is how staff reopen one.
      stopClock(deps, tid, at);
      repos.tickets.setStatus(tid, 'awaiting-client', at);
      planAutoClose(deps, tid, at);
      record({ previousStatus: before.status });
      return;
    case 'assign':
      repos.tickets.setAssignee(tid, c.staff, at);
      record({ from: before.assignee, to: c.staff });
      return;
    case 'level': {
      // The level it already has: nothing moves, so a repeated command cannot extend a deadline.
      if (c.level === before.level) {
        record({ from: before.level, to: c.level, unchanged: true, responseDueAt: before.responseDueAt });
        return;
      }
      repos.tickets.setLevel(tid, c.level, 'staff-command', at);
      let due: number | null = before.responseDueAt;
      // A running clock gets the new level's full term from now (DESIGN §2: a level change
      // recomputes the deadline from the moment of the change). The start moves too, so the
      // deadline stays "start + term" and escalation percentages are of the new term.
      if (before.responseDueAt !== null && before.status !== 'closed') {
        const lc = deps.levels.level(c.level);
        due = computeDeadline(at, lc.term, lc.calendar);
        repos.tickets.setDeadline(tid, { clockStartedAt: at, responseDueAt: due }, at);
        scheduleEscalations(deps, { ticketId: tid, cycle: before.cycle, level: c.level, startMs: at, deadlineMs: due, at });
      }
      record({ from: before.level, to: c.level, previousDueAt: before.responseDueAt, responseDueAt: due });
      return;
    }
  }
}

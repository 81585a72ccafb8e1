import { computeDeadline } from '../core/calendar/deadline.js';
import { ackHold, requestIdentity } from '../core/mail/ack-loop-cap.js';
import type { AckHoldNotice } from '../core/templates/ack-hold-text.js';
import { sha256Hex } from '../store/blob-repository.js';
import { ticketFromReferences } from '../core/mail/message-id.js';
import { answerLanguage } from '../core/mail/message-language.js';
import { parseTidFromSubject } from '../core/mail/tid-tag.js';
import { decideThread, type ThreadDecision, type TicketCandidate } from '../core/mail/thread.js';
import type { LevelSelection } from '../core/selection/selection-result.js';
import type { ParsedMessage } from '../mail/parse-message.js';
import type { Ticket } from '../store/ticket-repository.js';
import { buildAcknowledgement } from './acknowledgement-mail.js';
import { automaticMailRefusal } from './automatic-mail-refusal.js';
import { scheduleEscalations } from './escalation-schedule.js';
import type { IngestDeps } from './ingest-deps.js';
import { queueBmpNote } from './lifecycle-mail.js';
import { isBareBmp } from '../core/lifecycle/bmp.js';
import { parseRating } from '../core/lifecycle/rating.js';
import { participantsOf } from './participants-of.js';
import { queueStaffNotification } from './staff-notification.js';
import { storeMessage } from './store-message.js';

export interface ClientOutcome {
  ticketId: number;
  messageRowId: number;
  action: ThreadDecision['action'];
  ackQueued: boolean;
  /** A notification to staff was queued. */
  notified: boolean;
}

const HOUR_MS = 3_600_000;

/** The ticket candidates a subject tag and our signed references point at, with who may write to them. */
export function threadFor(deps: IngestDeps, parsed: ParsedMessage, sender: string | undefined, senderIsStaff: boolean, at: number): ThreadDecision {
  const { config, repos } = deps;
  const subjectTid = parseTidFromSubject(parsed.subject, config.tid.prefix);
  const referenceTid = ticketFromReferences(parsed.inReplyTo, parsed.references, deps.hmacKeys);
  const tickets: TicketCandidate[] = [];
  for (const tid of new Set([subjectTid, referenceTid])) {
    if (tid === undefined) continue;
    const t = repos.tickets.findTicketByTid(tid);
    if (!t) continue;
    const licence = t.licenceKey ? config.licences.find((l) => l.key === t.licenceKey) : undefined;
    tickets.push({
      id: t.tid,
      status: t.status,
      closedAt: t.closedAt,
      participants: repos.participants.listParticipants(t.tid).map((p) => p.address),
      licenceAddresses: licence?.emails ?? [],
      licenceDomains: licence?.domains ?? [],
    });
  }
  return decideThread({ subjectTid, referenceTid, sender, senderIsStaff, tickets, reopenDays: config.reopen_days, nowMs: at });
}

/**
 * A client's mail: a new ticket with its level and deadline, or a message on an existing one
 * (possibly reopening it). Runs inside the ingest transaction; nothing here awaits.
 */
export function handleClientMessage(
  deps: IngestDeps,
  m: {
    parsed: ParsedMessage;
    raw: Buffer;
    sender: string;
    receivedAt: number;
    at: number;
    /** Told to staff in the notification, e.g. that a staff From failed authentication. */
    warning?: string | undefined;
  },
): ClientOutcome {
  const { repos, config } = deps;
  const decision = threadFor(deps, m.parsed, m.sender, false, m.at);
  const people = participantsOf(m.parsed, config);

  // A rating to a ticket closed longer than reopen_days: stored on that ticket, no new ticket.
  if (decision.action === 'new' && decision.reason === 'closed-too-long' && decision.linkedTicketId !== undefined) {
    const rating = parseRating(m.parsed.visibleText);
    if (rating !== undefined) return storeRating(deps, decision.linkedTicketId, rating, m);
  }

  if (decision.action === 'new') {
    const selection = deps.selector.select({
      from: m.sender,
      at: m.receivedAt,
      subject: m.parsed.subject,
      body: m.parsed.text,
      couponUsesThisYear: (licenceKey, year) => repos.coupons.countUses(licenceKey, year),
      couponUsed: (code) => repos.coupons.findUse(code) !== undefined,
    });
    const lc = deps.levels.level(selection.level);
    const deadline = computeDeadline(m.receivedAt, lc.term, lc.calendar);
    const licence = selection.licence ? config.licences.find((l) => l.key === selection.licence!.key) : undefined;
    const lang = answerLanguage(m.parsed.subject, m.parsed.visibleText, licence?.language, config.language);
    const ticket = repos.tickets.createTicket({
      subject: m.parsed.subject,
      requester: m.sender,
      requesterName: m.parsed.from?.name || null,
      licenceKey: selection.licence?.key ?? null,
      level: selection.level,
      levelReason: selection.reason.code,
      language: lang,
      linkedTicketId: decision.linkedTicketId ?? null,
      status: 'new',
      clockStartedAt: m.receivedAt,
      responseDueAt: deadline,
      at: m.at,
    });
    scheduleEscalations(deps, { ticketId: ticket.tid, cycle: ticket.cycle, level: selection.level, startMs: m.receivedAt, deadlineMs: deadline, at: m.at });
    if (selection.coupon) {
      const c = selection.coupon;
      // The selection read the counts in this same IMMEDIATE transaction, so a refusal here means a
      // bug, not a race: fail the message (it is retried) rather than store a wrong level.
      if (!repos.coupons.tryUse({ code: c.code, licenceKey: c.licenceKey, year: c.year, ticketId: ticket.tid, usedAt: m.at })) {
        throw new Error(`VIP coupon ${c.code} was used concurrently`);
      }
    }
    const messageRowId = storeMessage(repos, { ticketId: ticket.tid, kind: 'client', parsed: m.parsed, raw: m.raw, receivedAt: m.receivedAt });
    repos.participants.addParticipant({ ticketId: ticket.tid, address: m.sender, name: m.parsed.from?.name || null, role: 'requester', at: m.at });
    for (const p of people.others) repos.participants.addParticipant({ ticketId: ticket.tid, address: p.address, name: p.name || null, role: 'cc', at: m.at });
    repos.events.recordEvent({
      ticketId: ticket.tid,
      at: m.at,
      type: 'ticket.created',
      actor: m.sender,
      data: {
        level: selection.level,
        rule: selection.rule,
        reason: selection.reason.code,
        licence: selection.licence?.key ?? null,
        urgent: selection.urgent,
        coupon: selection.coupon?.code ?? null,
        couponRejected: selection.couponRejected?.reason ?? null,
        thread: decision.reason,
        linkedTicketId: decision.linkedTicketId ?? null,
        responseDueAt: deadline,
        messageRowId,
      },
    });
    if (selection.coupon) repos.events.recordEvent({ ticketId: ticket.tid, at: m.at, type: 'coupon.used', actor: m.sender, data: { ...selection.coupon } });
    const ack = queueAcknowledgement(deps, ticket, m, selection, deadline);
    if (hasBareBmp(m.parsed)) queueBmpNote(deps, ticket.tid, m.sender, m.at);
    const notified =
      config.staff.notify.new_ticket &&
      queueStaffNotification(deps, {
        ticket: repos.tickets.findTicketByTid(ticket.tid)!,
        event: 'new-ticket',
        message: m.parsed,
        warning: m.warning,
        couponRejected: selection.couponRejected,
        ackHeld: ack.queued ? undefined : ack.hold,
        at: m.at,
      });
    return { ticketId: ticket.tid, messageRowId, action: 'new', ackQueued: ack.queued, notified };
  }

  const ticket = repos.tickets.findTicketByTid(decision.ticketId)!;
  const messageRowId = storeMessage(repos, { ticketId: ticket.tid, kind: 'client', parsed: m.parsed, raw: m.raw, receivedAt: m.receivedAt });
  for (const p of people.others) repos.participants.addParticipant({ ticketId: ticket.tid, address: p.address, name: p.name || null, role: 'cc', at: m.at });
  // A rating answering the closing mail ("Rating: 4", "Оценка: 5", a bare 1-5) is stored and does
  // not reopen the ticket.
  const rating = ticket.status === 'closed' ? parseRating(m.parsed.visibleText) : undefined;
  if (rating !== undefined) {
    repos.tickets.setRating(ticket.tid, rating, m.at);
    repos.events.recordEvent({ ticketId: ticket.tid, at: m.at, type: 'rating.received', actor: m.sender, data: { rating, messageRowId } });
    return { ticketId: ticket.tid, messageRowId, action: 'append', ackQueued: false, notified: false };
  }
  if (hasBareBmp(m.parsed)) queueBmpNote(deps, ticket.tid, m.sender, m.at);
  const lc = deps.levels.level(ticket.level);
  // The clock runs from the earliest unanswered client message: only a message after a staff
  // answer (or on a closed ticket) starts a new cycle; more mail while waiting changes nothing.
  const restarts = decision.action === 'reopen' || ticket.status === 'awaiting-client' || ticket.responseDueAt === null;
  let deadline = ticket.responseDueAt;
  if (restarts) {
    deadline = computeDeadline(m.receivedAt, lc.term, lc.calendar);
    repos.tickets.setDeadline(ticket.tid, { clockStartedAt: m.receivedAt, responseDueAt: deadline, cycle: ticket.cycle + 1 }, m.at);
    scheduleEscalations(deps, { ticketId: ticket.tid, cycle: ticket.cycle + 1, level: ticket.level, startMs: m.receivedAt, deadlineMs: deadline, at: m.at });
  }
  if (decision.action === 'reopen' || ticket.status === 'awaiting-client') repos.tickets.setStatus(ticket.tid, 'awaiting-staff', m.at);
  repos.events.recordEvent({
    ticketId: ticket.tid,
    at: m.at,
    type: decision.action === 'reopen' ? 'ticket.reopened' : 'message.appended',
    actor: m.sender,
    data: { via: decision.via, messageRowId, newCycle: restarts, responseDueAt: deadline },
  });
  const fresh = repos.tickets.findTicketByTid(ticket.tid)!;
  const ack = decision.action === 'reopen' && deadline !== null ? queueAcknowledgement(deps, fresh, m, undefined, deadline) : undefined;
  const notified =
    config.staff.notify.client_message &&
    queueStaffNotification(deps, {
      ticket: fresh,
      event: 'client-message',
      message: m.parsed,
      warning: m.warning,
      ackHeld: ack && !ack.queued ? ack.hold : undefined,
      at: m.at,
    });
  return { ticketId: ticket.tid, messageRowId, action: decision.action, ackQueued: ack?.queued ?? false, notified };
}

/** What became of a message's acknowledgement: queued, or held back and why (the `ack.suppressed` event). */
type AckOutcome = { queued: true } | { queued: false; hold: AckHoldNotice };

/**
 * Queues the acknowledgement unless answering would be wrong: an address known to bounce or on a
 * dotless intranet domain (automaticMailRefusal), a repeat
 * of a request this sender already got an acknowledgement for within the hour, or a sender past the
 * hourly flood ceiling (see core/mail/ack-loop-cap.ts). A person's distinct requests are never held:
 * each counts as accepted only once its acknowledgement went out (seed 4.12).
 */
function queueAcknowledgement(
  deps: IngestDeps,
  ticket: Ticket,
  m: { parsed: ParsedMessage; sender: string; receivedAt: number; at: number },
  selection: LevelSelection | undefined,
  deadline: number,
): AckOutcome {
  const { repos, config } = deps;
  const hold = (h: AckHoldNotice): AckOutcome => {
    repos.events.recordEvent({ ticketId: ticket.tid, at: m.at, type: 'ack.suppressed', actor: m.sender, data: { ...h } });
    deps.logger.warn({ event: 'ack.suppressed', ticketId: ticket.tid, reason: h.reason }, 'acknowledgement held back');
    return { queued: false, hold: h };
  };
  const refusal = automaticMailRefusal(deps, m.sender);
  if (refusal !== undefined) return hold({ reason: refusal });
  const identity = requestIdentity({ subject: m.parsed.subject, visibleText: m.parsed.visibleText, attachmentDigests: m.parsed.attachments.map((a) => a.sha256) }, config.tid.prefix);
  const request = sha256Hex(Buffer.from(identity, 'utf8'));
  // The window runs on arrival times, so a backlog read at once after downtime is judged by the
  // pace it was sent at, not by how fast we caught up.
  const held = ackHold(repos.ackRequests.recentSince(m.sender, request, m.receivedAt - HOUR_MS), {
    perRequest: config.limits.acks_per_request_per_hour,
    perSender: config.limits.acks_per_sender_per_hour,
  });
  if (held) return hold(held);
  const built = buildAcknowledgement(
    {
      tid: ticket.tid,
      originalSubject: m.parsed.subject,
      to: { address: m.sender, name: m.parsed.from?.name ?? '' },
      lang: ticket.language === 'ru' ? 'ru' : 'en',
      level: deps.levels.level(ticket.level),
      deadlineMs: deadline,
      selection,
      licenceKey: ticket.licenceKey,
      replyTo: { messageId: m.parsed.messageId, references: m.parsed.references },
      at: m.at,
    },
    { config, levels: deps.levels, hmacKey: deps.hmacKeys[0]!, nonce: deps.randomBytes(10) },
  );
  const outboxId = repos.outbox.enqueueOutbox({ ticketId: ticket.tid, kind: 'ack', messageId: built.messageId, recipients: [m.sender], subject: built.subject, mail: built.mail, at: m.at });
  repos.ackRequests.record(m.sender, request, m.receivedAt);
  repos.events.recordEvent({ ticketId: ticket.tid, at: m.at, type: 'ack.queued', actor: 'tidings', data: { outboxId, messageId: built.messageId } });
  return { queued: true };
}

function hasBareBmp(parsed: ParsedMessage): boolean {
  return parsed.attachments.some((a) => isBareBmp(a));
}

function storeRating(deps: IngestDeps, tid: number, rating: number, m: { parsed: ParsedMessage; raw: Buffer; sender: string; receivedAt: number; at: number }): ClientOutcome {
  const { repos } = deps;
  const messageRowId = storeMessage(repos, { ticketId: tid, kind: 'client', parsed: m.parsed, raw: m.raw, receivedAt: m.receivedAt });
  repos.tickets.setRating(tid, rating, m.at);
  repos.events.recordEvent({ ticketId: tid, at: m.at, type: 'rating.received', actor: m.sender, data: { rating, messageRowId, late: true } });
  return { ticketId: tid, messageRowId, action: 'append', ackQueued: false, notified: false };
}

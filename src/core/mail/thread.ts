import { isParticipant, type ParticipantScope } from './participant-match.js';

/**
 * Which ticket an inbound message belongs to. Pure: the caller parses the subject tag and verifies
 * the references, loads the ticket(s) those point at, and passes everything in.
 */

export type TicketStatus = 'new' | 'awaiting-staff' | 'awaiting-client' | 'closed';

export interface TicketCandidate extends ParticipantScope {
  id: number;
  status: TicketStatus;
  /** Epoch ms; set when status is closed. */
  closedAt?: number | null | undefined;
}

export interface ThreadInput {
  /** TID from the subject tag, if any. */
  subjectTid: number | undefined;
  /** TID from a verified (HMAC) Message-ID in In-Reply-To/References, if any. */
  referenceTid: number | undefined;
  /** From address; undefined when the message has none. */
  sender: string | undefined;
  /** The sender is on the staff list (and passed the authentication check: the caller's job). */
  senderIsStaff: boolean;
  /** The tickets found for subjectTid and referenceTid; a TID without an entry here does not exist. */
  tickets: readonly TicketCandidate[];
  /** A closed ticket reopens on a client reply within this many days of closing; 0 never reopens. */
  reopenDays: number;
  nowMs: number;
}

/** How the ticket was found. */
export type ThreadVia = 'subject' | 'reference';

export type NewTicketReason = 'no-tid' | 'foreign-sender' | 'closed-too-long' | 'unknown-ticket';

export type ThreadDecision =
  | { action: 'append'; ticketId: number; via: ThreadVia }
  | { action: 'reopen'; ticketId: number; via: ThreadVia }
  | { action: 'new'; reason: NewTicketReason; linkedTicketId?: number };

// The reopen window counts elapsed time in 24-hour days, not calendar days in a zone: "within 7
// days" then means the same span whatever the DST changes in between, and needs no calendar.
const DAY_MS = 86_400_000;

/**
 * The rules, in order:
 * 1. Pick the ticket. The verified reference wins over the subject tag when both exist and point
 *    to different tickets: anyone can type a tag (or quote an old one), but only a mail program
 *    that received our mail for that ticket can carry its signed Message-ID, and In-Reply-To names
 *    the mail actually answered. A reference to a ticket that no longer exists falls back to the tag.
 * 2. No TID at all: new ticket. A TID of no known ticket: new ticket, no link (there is nothing to link).
 * 3. The sender must be a participant (requester, CC'd, same licence) or staff; otherwise a new
 *    ticket linked to the one they named, so nobody can read or steer a ticket by quoting its TID.
 * 4. Closed ticket: a client reply within reopenDays (elapsed < reopenDays x 24 h) reopens it;
 *    later, a new ticket linked to the old one. Staff mail to a closed ticket is appended without
 *    reopening: a late internal note must not restart the clock; staff reopen by command.
 */
export function decideThread(input: ThreadInput): ThreadDecision {
  const picked = pickTicket(input);
  if (picked === undefined) {
    return { action: 'new', reason: input.subjectTid === undefined && input.referenceTid === undefined ? 'no-tid' : 'unknown-ticket' };
  }
  const { ticket, via } = picked;
  const allowed = input.senderIsStaff || (input.sender !== undefined && isParticipant(input.sender, ticket));
  if (!allowed) return { action: 'new', reason: 'foreign-sender', linkedTicketId: ticket.id };
  if (ticket.status !== 'closed' || input.senderIsStaff) return { action: 'append', ticketId: ticket.id, via };
  if (withinReopenWindow(ticket.closedAt, input.reopenDays, input.nowMs)) return { action: 'reopen', ticketId: ticket.id, via };
  return { action: 'new', reason: 'closed-too-long', linkedTicketId: ticket.id };
}

function pickTicket(input: ThreadInput): { ticket: TicketCandidate; via: ThreadVia } | undefined {
  const find = (tid: number | undefined): TicketCandidate | undefined => (tid === undefined ? undefined : input.tickets.find((t) => t.id === tid));
  const byReference = find(input.referenceTid);
  if (byReference !== undefined) return { ticket: byReference, via: 'reference' };
  const bySubject = find(input.subjectTid);
  if (bySubject !== undefined) return { ticket: bySubject, via: 'subject' };
  return undefined;
}

function withinReopenWindow(closedAt: number | null | undefined, reopenDays: number, nowMs: number): boolean {
  // A closed ticket without a close time cannot be placed in the window; opening a new linked
  // ticket loses nothing, reopening the wrong one would.
  if (closedAt === undefined || closedAt === null || !Number.isFinite(closedAt)) return false;
  if (!(reopenDays > 0)) return false;
  // A client clock or a close stamped slightly in the future gives a negative span: still inside.
  return nowMs - closedAt < reopenDays * DAY_MS;
}

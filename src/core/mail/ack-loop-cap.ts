import { bareSubject, stripTag } from './tid-tag.js';

/**
 * When an acknowledgement is held back. Invariant: a person's distinct requests are all
 * acknowledged, because seed 4.12 counts a request as accepted only once the client has the
 * acknowledgement with its TID. So the cap stops only what cannot be a new request:
 * - `repeat`: the same request from the same sender again within the window: a script resending
 *   one text, or a vacation responder without Auto-Submitted that answers every acknowledgement
 *   with a fresh mail (its own text each time, so its second answer is a repeat and the loop ends);
 * - `flood`: more acknowledgements to one sender within the window than a person writes requests.
 * Mail that announces itself as automatic never reaches this: it gets no acknowledgement at all.
 */
export type AckHoldReason = 'repeat' | 'flood';

export interface AckCapLimits {
  /** Acknowledgements one request gets within the window (limits.acks_per_request_per_hour). */
  perRequest: number;
  /** Acknowledgements one sender gets within the window (limits.acks_per_sender_per_hour). */
  perSender: number;
}

/** Acknowledgements already queued to the sender within the window, and how many answered this request. */
export interface AcksInWindow {
  total: number;
  sameRequest: number;
}

export interface AckHold {
  reason: AckHoldReason;
  /** The limit that was reached. */
  limit: number;
}

export function ackHold(recent: AcksInWindow, limits: AckCapLimits): AckHold | undefined {
  if (recent.sameRequest >= limits.perRequest) return { reason: 'repeat', limit: limits.perRequest };
  if (recent.total >= limits.perSender) return { reason: 'flood', limit: limits.perSender };
  return undefined;
}

export interface RequestContent {
  subject: string;
  /** What the sender wrote, quoted text and signature removed. */
  visibleText: string;
  /** SHA-256 of each attachment's content. */
  attachmentDigests: readonly string[];
}

/**
 * The text that identifies a request, to be hashed: the subject without reply markers and our tags,
 * the visible text, and the attachments. Case, white space, line ends and our tags do not count:
 * a resend through another client, or a responder quoting a new TID each time, is the same request.
 */
export function requestIdentity(r: RequestContent, tidPrefix: string): string {
  const subject = bareSubject(r.subject, tidPrefix).normalize('NFC').toLowerCase();
  const text = stripTag(r.visibleText, tidPrefix).normalize('NFC').toLowerCase();
  return JSON.stringify([subject, text, [...r.attachmentDigests].sort()]);
}

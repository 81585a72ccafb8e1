import { TidingsError } from '../../errors.js';
import { stripReplyPrefixes } from './reply-prefix.js';
import { normalizeSubject } from './subject-text.js';

export const DEFAULT_TID_PREFIX = 'TID#';

// Every safe integer has at most 16 digits; longer runs cannot be ours and are not even looked at.
const MAX_DIGITS = 16;

/** `[TID#123]` for ticket 123. */
export function formatTidTag(tid: number, prefix: string = DEFAULT_TID_PREFIX): string {
  checkTid(tid);
  checkPrefix(prefix);
  return `[${prefix}${tid}]`;
}

/**
 * The ticket number tagged in a subject, wherever the tag stands ("Re: AW: [TID#12] x",
 * "x [tid# 12]"), or undefined. The prefix matches case-insensitively because clients and people
 * retyping a subject change its case. When several tags are present the leftmost valid one wins:
 * we put our tag first, so the leftmost is the most recent ticket the thread went through.
 */
export function parseTidFromSubject(subject: string, prefix: string = DEFAULT_TID_PREFIX): number | undefined {
  checkPrefix(prefix);
  for (const m of subject.matchAll(tagPattern(prefix))) {
    const tid = Number(m[1]);
    // [TID#0] cannot be ours (numbers start at 1); keep looking rather than give up on the subject.
    if (tid >= 1 && Number.isSafeInteger(tid)) return tid;
  }
  return undefined;
}

/** The subject without any of our tags, on one line. */
export function stripTag(subject: string, prefix: string = DEFAULT_TID_PREFIX): string {
  checkPrefix(prefix);
  const pattern = tagPattern(prefix);
  let rest = normalizeSubject(subject);
  // Removing one tag can join two fragments into a new one ("[TID#[TID#1]2]"); repeat until none is left.
  for (;;) {
    const next = normalizeSubject(rest.replace(pattern, ' '));
    if (next === rest) return rest;
    rest = next;
  }
}

/**
 * The subject of our mail for a ticket: `[TID#n] original subject`. Any of our tags already in the
 * subject (this ticket's or an older one's) and leading Re:/Fwd: markers are removed first, so the
 * tag is never doubled and a reopened or linked ticket does not carry two numbers. The result is a
 * fixed point: applying it again changes nothing.
 */
export function subjectWithTag(tid: number, original: string, prefix: string = DEFAULT_TID_PREFIX): string {
  const tag = formatTidTag(tid, prefix);
  const rest = bareSubject(original, prefix);
  return rest === '' ? tag : `${tag} ${rest}`;
}

/** The subject on one line without our tags and leading Re:/Fwd: markers, however they interleave ("Re: [TID#1] AW: x" gives "x"). */
export function bareSubject(original: string, prefix: string = DEFAULT_TID_PREFIX): string {
  let rest = normalizeSubject(original);
  for (;;) {
    const next = normalizeSubject(stripReplyPrefixes(stripTag(rest, prefix)));
    if (next === rest) return rest;
    rest = next;
  }
}

function tagPattern(prefix: string): RegExp {
  return new RegExp(`\\[\\s*${escapeRegExp(prefix)}\\s*(\\d{1,${MAX_DIGITS}})\\s*\\]`, 'giu');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function checkTid(tid: number): void {
  if (!Number.isSafeInteger(tid) || tid < 1) {
    throw new TidingsError('E_TID_INVALID', `ticket number must be a positive integer, got ${String(tid)}`, { details: { tid } });
  }
}

function checkPrefix(prefix: string): void {
  // Brackets or white space inside the prefix would make the tag ambiguous to parse back.
  if (typeof prefix !== 'string' || !/^[^\s[\]]{1,32}$/u.test(prefix)) {
    throw new TidingsError('E_TID_PREFIX_INVALID', `TID prefix must be 1-32 characters without brackets or spaces, got "${String(prefix)}"`, {
      details: { prefix },
    });
  }
}

import { extractAddress } from './address.js';
import { automatedReason, clip, senderOf } from './automated-signals.js';
import { bounceReason } from './bounce-signals.js';
import { firstHeader, headerValues, type MailHeaders } from './mail-headers.js';

/**
 * What kind of mail arrived, which decides whether it may be answered:
 * - spam: flagged by the upstream filter; quarantined, never answered.
 * - bounce: a delivery report about our mail; recorded on the ticket it refers to.
 * - automated: written by a program (auto-reply, list, notification); stored, never answered.
 * - human: a person; gets an acknowledgement.
 *
 * Staff are not a class here: that needs the staff list and the Authentication-Results check, so
 * the caller takes `sender` and decides. Checks run in the order above. Spam first because the
 * filter's verdict covers forged bounces (backscatter) too; bounce before automated because nearly
 * every bounce also looks automated (null Return-Path, Auto-Submitted) and the bounce is the more
 * useful reading.
 */
export type MessageClass = 'human' | 'automated' | 'bounce' | 'spam';

export interface Classification {
  kind: MessageClass;
  /** Which rule decided, for logs and the ticket history, e.g. "Auto-Submitted: auto-replied". */
  reason: string;
  /** The From mailbox, lower case, for the caller's staff check; undefined without a From. May lack a domain (`mailer-daemon`). */
  sender: string | undefined;
}

/** What is known about the message beyond its top-level header fields. */
export interface MessageFacts {
  /**
   * The envelope sender: '' for the null path `<>`, undefined when unknown. When absent the
   * Return-Path header (added by the delivering server) is used.
   */
  returnPath?: string | undefined;
  /** The parser found a message/delivery-status (or global-delivery-status) part. */
  hasDeliveryStatus?: boolean;
}

/** A header whose value marks spam, e.g. X-Spam-Flag matching /^\s*yes\b/i. */
export interface SpamRule {
  header: string;
  pattern: RegExp;
}

export interface ClassifyOptions {
  /** Replaces the defaults; an empty list turns spam detection off. */
  spamRules?: readonly SpamRule[];
}

/** SpamAssassin (X-Spam-Flag, X-Spam-Status) and rspamd (X-Spam) verdicts. */
export const DEFAULT_SPAM_RULES: readonly SpamRule[] = Object.freeze([
  { header: 'x-spam-flag', pattern: /^\s*yes\b/i },
  { header: 'x-spam-status', pattern: /^\s*yes\b/i },
  { header: 'x-spam', pattern: /^\s*yes\b/i },
]);

export function classifyMessage(headers: MailHeaders, facts: MessageFacts = {}, options: ClassifyOptions = {}): Classification {
  const sender = senderOf(headers);
  const returnPath = facts.returnPath ?? extractAddress(firstHeader(headers, 'return-path'));

  const spam = spamReason(headers, options.spamRules ?? DEFAULT_SPAM_RULES);
  if (spam !== undefined) return { kind: 'spam', reason: spam, sender };
  const bounce = bounceReason(headers, facts.hasDeliveryStatus === true, returnPath, sender);
  if (bounce !== undefined) return { kind: 'bounce', reason: bounce, sender };
  const automated = automatedReason(headers, returnPath, sender);
  if (automated !== undefined) return { kind: 'automated', reason: automated, sender };
  return { kind: 'human', reason: 'no automated, bounce or spam marker', sender };
}

function spamReason(headers: MailHeaders, rules: readonly SpamRule[]): string | undefined {
  for (const rule of rules) {
    for (const value of headerValues(headers, rule.header)) {
      // search() ignores lastIndex, so a rule written with the g or y flag still tests every value from the start.
      if (value.search(rule.pattern) >= 0) return `${rule.header}: ${clip(value)}`;
    }
  }
  return undefined;
}

import { renderHeldMailNotice } from '../core/templates/held-mail-notice.js';
import type { ParsedMessage } from '../mail/parse-message.js';
import type { OutboundMail } from '../outbox/outbound-mail.js';
import { mailDomain } from './acknowledgement-mail.js';
import type { IngestDeps } from './ingest-deps.js';
import { notificationRecipients, staffLanguage } from './staff-recipients.js';

const HOUR_MS = 3_600_000;
/**
 * A flood of forged mail must not become a flood in the supervisors' mailboxes: past this many
 * notices an hour the held mail is only listed (`tidings reprocess --list`) and recorded.
 */
const HELD_NOTICES_PER_HOUR = 10;

/**
 * Tells the supervisors (without any, the staff group or the agents) that mail in our own name was
 * held for failing the staff check. Inside the ingest transaction; returns whether a mail was queued.
 */
export function queueHeldMailNotice(deps: IngestDeps, n: { parsed: ParsedMessage; sender: string; detail: string; quarantineId: number; at: number }): boolean {
  const { repos, config } = deps;
  const skip = (reason: string): false => {
    repos.events.recordEvent({ at: n.at, type: 'notify.suppressed', actor: 'tidings', data: { event: 'held-mail', quarantineId: n.quarantineId, reason } });
    return false;
  };
  const recipients = heldNoticeRecipients(deps);
  if (recipients.length === 0) return skip('no-recipients');
  if (repos.outbox.countKindSince('held-notice', n.at - HOUR_MS) >= HELD_NOTICES_PER_HOUR) return skip('rate-limit');

  const lang = staffLanguage(config);
  const text = renderHeldMailNotice({ lang, from: n.sender, subject: n.parsed.subject, detail: n.detail, quarantineId: n.quarantineId });
  const subject = `${lang === 'ru' ? 'Задержано письмо от нашего имени' : 'Held: mail in our own name failed authentication'} (#${n.quarantineId})`;
  // No ticket to sign an id with; a random one is enough, nothing threads by it.
  const messageId = `tidings-held.${Buffer.from(deps.randomBytes(10)).toString('hex')}@${mailDomain(config)}`;
  const mail: OutboundMail = {
    from: { address: config.mailbox.address, name: config.mailbox.name },
    to: recipients,
    replyTo: config.mailbox.address,
    subject,
    text,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Tidings-Event': 'held-mail' },
    date: n.at,
  };
  const outboxId = repos.outbox.enqueueOutbox({ ticketId: null, kind: 'held-notice', messageId, recipients, subject, mail, at: n.at });
  repos.events.recordEvent({ at: n.at, type: 'notify.queued', actor: 'tidings', data: { event: 'held-mail', outboxId, messageId, quarantineId: n.quarantineId, recipients: recipients.length } });
  return true;
}

function heldNoticeRecipients({ config }: IngestDeps): string[] {
  const supervisors = config.staff.members.filter((m) => m.roles.includes('supervisor')).map((m) => m.email.toLowerCase());
  if (supervisors.length > 0) return [...new Set(supervisors)];
  return notificationRecipients(config, { assignee: null });
}

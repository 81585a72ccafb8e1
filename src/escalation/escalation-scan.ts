import { timeLeft } from '../core/calendar/deadline.js';
import { escalationRecipients, parseThresholdLabel, pickLatest, ruleForThreshold } from '../core/escalation/plan.js';
import { escalationSubject, renderEscalationNotice } from '../core/escalation/notice-text.js';
import { makeMessageId } from '../core/mail/message-id.js';
import { formatTidTag } from '../core/mail/tid-tag.js';
import { mailDomain } from '../ingest/acknowledgement-mail.js';
import type { IngestDeps } from '../ingest/ingest-deps.js';
import { staffLanguage } from '../ingest/staff-recipients.js';
import type { OutboundMail } from '../outbox/outbound-mail.js';

export type EscalationDeps = Pick<IngestDeps, 'config' | 'levels' | 'repos' | 'hmacKeys' | 'randomBytes' | 'logger' | 'onOutboxEnqueued'>;

export interface ScanResult {
  /** Notices queued to the outbox. */
  sent: number;
  /** The same, by threshold ("75%", "100%", "100%+1"), for the notices-sent metric. */
  sentByThreshold: Record<string, number>;
  /** Due notices dropped because a later notice of the same cycle was due too (catch-up after downtime). */
  superseded: number;
  /** Due notices dropped because their ticket no longer runs that clock, or the config dropped the threshold. */
  cancelled: number;
  /** Claimed but not mailed: nobody to send to. */
  suppressed: number;
  /** (ticket, cycle) groups that failed and stay due for the next scan. */
  failed: number;
}

/**
 * One escalation scan at the instant `now`: reads the due notices through the partial index
 * escalation_pending_due, and for each (ticket, cycle) sends the latest due one. Each group
 * re-reads its due rows, claims the notice (tryRecord) and queues the mail
 * together, so two scans at once (two processes, or a scan racing a restart) never send a notice
 * twice, and a crash between claim and mail cannot lose or double it. A batch (config
 * escalation.batch) commits once; each group runs in its own savepoint.
 *
 * Catch-up is the same code: after downtime every notice due in the past is due now.
 */
export function runEscalationScan(deps: EscalationDeps, now: number, batch = deps.config.escalation.batch): ScanResult {
  const result: ScanResult = { sent: 0, sentByThreshold: {}, superseded: 0, cancelled: 0, suppressed: 0, failed: 0 };
  const failedGroups = new Set<string>();
  for (;;) {
    const due = deps.repos.escalations.due(now, batch);
    const groups = new Map<string, { ticketId: number; cycle: number }>();
    for (const d of due) {
      const k = `${d.ticketId}:${d.cycle}`;
      if (!failedGroups.has(k)) groups.set(k, { ticketId: d.ticketId, cycle: d.cycle });
    }
    if (groups.size === 0) break;
    // One IMMEDIATE transaction (one fsync) per batch; each group in a savepoint, so a group that
    // fails rolls back alone and stays due while the others commit.
    deps.repos.transaction(() => {
      for (const [k, g] of groups) {
        try {
          deps.repos.transaction(() => handleGroup(deps, g.ticketId, g.cycle, now, result));
        } catch (err) {
          failedGroups.add(k);
          result.failed += 1;
          deps.logger.error({ event: 'escalation.failed', ticketId: g.ticketId, cycle: g.cycle, err }, 'escalation notice failed; retried on the next scan');
        }
      }
    });
    if (due.length < batch) break;
  }
  if (result.sent > 0) deps.onOutboxEnqueued?.();
  return result;
}

/** One (ticket, cycle): inside a transaction. Re-reads the due rows: another scan may have handled them. */
export function handleGroup(deps: EscalationDeps, ticketId: number, cycle: number, now: number, result: ScanResult): void {
  const { repos, config } = deps;
  const due = repos.escalations.dueForCycle(ticketId, cycle, now);
  if (due.length === 0) return;
  const ticket = repos.tickets.findTicketByTid(ticketId);
  const drop = (reason: string): void => {
    for (const d of due) if (repos.escalations.cancel(d, now)) result.cancelled += 1;
    repos.events.recordEvent({ ticketId, at: now, type: 'escalation.cancelled', actor: 'tidings', data: { cycle, thresholds: due.map((d) => d.threshold), reason } });
  };
  // Belt and braces: ingest cancels notices when the clock stops, but a row planned by an older
  // version, or a ticket changed by hand, must not page anyone.
  if (!ticket) return drop('no-ticket');
  if (ticket.status === 'closed' || ticket.responseDueAt === null || ticket.clockStartedAt === null) return drop('clock-stopped');
  if (ticket.cycle !== cycle) return drop('old-cycle');

  const { send, superseded } = pickLatest(due);
  for (const s of superseded) if (repos.escalations.cancel(s, now)) result.superseded += 1;
  if (!send) return;
  const rules = config.levels[ticket.level]?.escalate ?? [];
  const rule = ruleForThreshold(rules, send.threshold);
  if (!rule) {
    if (repos.escalations.cancel(send, now)) result.cancelled += 1;
    repos.events.recordEvent({ ticketId, at: now, type: 'escalation.cancelled', actor: 'tidings', data: { cycle, thresholds: [send.threshold], reason: 'not-configured' } });
    return;
  }
  if (!repos.escalations.tryRecord({ ...send, at: now })) return;

  const recipients = escalationRecipients(rule.notify, config.staff, ticket.assignee);
  if (recipients.length === 0) {
    result.suppressed += 1;
    repos.events.recordEvent({ ticketId, at: now, type: 'escalation.suppressed', actor: 'tidings', data: { cycle, threshold: send.threshold, reason: 'no-recipients' } });
    return;
  }
  const lc = deps.levels.level(ticket.level);
  const lang = staffLanguage(config);
  const deadline = ticket.responseDueAt;
  const overdue = now >= deadline;
  const tag = formatTidTag(ticket.tid, config.tid.prefix);
  const input = {
    lang,
    tag,
    ticketSubject: ticket.subject,
    threshold: send.threshold,
    overdue,
    level: { key: lc.key, name: (lang === 'ru' ? lc.name.ru : undefined) ?? lc.name.en },
    deadlineMs: deadline,
    zone: lc.zone,
    leftMs: timeLeft(now, deadline, lc.term, lc.calendar),
    clockKind: lc.term.clock,
    requester: ticket.requester,
    assignee: ticket.assignee,
    mailbox: config.mailbox.address,
  };
  const subject = escalationSubject(input);
  const messageId = makeMessageId({ tid: ticket.tid, kind: 'escalation', nonce: deps.randomBytes(10), domain: mailDomain(config) }, deps.hmacKeys[0]!);
  const mail: OutboundMail = {
    from: { address: config.mailbox.address, name: config.mailbox.name },
    to: recipients,
    replyTo: config.mailbox.address,
    subject,
    text: renderEscalationNotice(input),
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Tidings-Ticket': String(ticket.tid),
      'X-Tidings-Event': 'escalation',
      'X-Tidings-Threshold': send.threshold,
    },
    date: now,
  };
  const outboxId = repos.outbox.enqueueOutbox({ ticketId: ticket.tid, kind: 'escalation', messageId, recipients, subject, mail, at: now });
  result.sent += 1;
  result.sentByThreshold[send.threshold] = (result.sentByThreshold[send.threshold] ?? 0) + 1;
  repos.events.recordEvent({
    ticketId: ticket.tid,
    at: now,
    type: 'escalation.queued',
    actor: 'tidings',
    data: {
      cycle,
      threshold: send.threshold,
      rule: parseThresholdLabel(send.threshold).at,
      dueAt: send.dueAt,
      responseDueAt: deadline,
      overdue,
      superseded: superseded.map((s) => s.threshold),
      outboxId,
      messageId,
      recipients: recipients.length,
    },
  });
}

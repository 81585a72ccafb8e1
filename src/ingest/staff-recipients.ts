import type { Config } from '../config/config.js';
import type { Language } from '../core/calendar/describe-hours.js';
import type { Ticket } from '../store/ticket-repository.js';

type Member = Config['staff']['members'][number];

export function staffMemberByEmail(config: Config, address: string): Member | undefined {
  const a = address.toLowerCase();
  return config.staff.members.find((m) => m.email.toLowerCase() === a);
}

export function staffMemberByKey(config: Config, key: string): Member | undefined {
  return config.staff.members.find((m) => m.key === key);
}

/**
 * Who hears about a ticket: its assignee when it has one (the others need not read every message
 * of a ticket someone owns), else the team's group address, else every agent.
 */
export function notificationRecipients(config: Config, ticket: Pick<Ticket, 'assignee'>): string[] {
  const assignee = ticket.assignee ? staffMemberByKey(config, ticket.assignee) : undefined;
  if (assignee) return [assignee.email.toLowerCase()];
  if (config.staff.group) return [config.staff.group.toLowerCase()];
  return [...new Set(config.staff.members.filter((m) => m.roles.includes('agent')).map((m) => m.email.toLowerCase()))];
}

/** Staff mail is written in the desk's language: staff share one, clients each have theirs. */
export function staffLanguage(config: Config): Language {
  return config.language;
}

import { TidingsError } from '../../errors.js';
import type { StaffCommand } from './staff-commands.js';

export interface CommandContext {
  /** Configured level keys. */
  levels: readonly string[];
  /** Configured staff members. */
  staff: readonly { key: string; email: string }[];
}

/** A command ready to apply: `#assign` names the staff member by key whatever the sender wrote. */
export type CheckedCommand = Exclude<StaffCommand, { name: 'assign' }> | { name: 'assign'; staff: string; line: string };

/**
 * Checks every command against the configuration before any is applied, so a message is either
 * carried out whole or refused whole: a half-applied message (closed, but the level change
 * refused) would leave the sender unsure what happened. Throws TidingsError E_LEVEL_UNKNOWN,
 * E_STAFF_UNKNOWN or E_COMMAND_INVALID (the same command twice; #close with #pending).
 */
export function checkCommands(commands: readonly StaffCommand[], ctx: CommandContext): CheckedCommand[] {
  const seen = new Set<string>();
  const out: CheckedCommand[] = [];
  for (const c of commands) {
    if (seen.has(c.name)) throw new TidingsError('E_COMMAND_INVALID', `"${c.line}": #${c.name} is given twice`, { details: { command: c.name, line: c.line } });
    seen.add(c.name);
    if (c.name === 'level') {
      if (!ctx.levels.includes(c.level)) {
        throw new TidingsError('E_LEVEL_UNKNOWN', `"${c.line}": unknown level "${c.level}"; known: ${ctx.levels.join(', ')}`, {
          details: { command: c.name, line: c.line, level: c.level },
        });
      }
      out.push(c);
    } else if (c.name === 'assign') {
      const wanted = c.staff.toLowerCase();
      const member = ctx.staff.find((m) => m.key.toLowerCase() === wanted || m.email.toLowerCase() === wanted);
      if (!member) {
        throw new TidingsError('E_STAFF_UNKNOWN', `"${c.line}": no staff member "${c.staff}"; known: ${ctx.staff.map((m) => m.key).join(', ')}`, {
          details: { command: c.name, line: c.line, staff: c.staff },
        });
      }
      out.push({ name: 'assign', staff: member.key, line: c.line });
    } else {
      out.push(c);
    }
  }
  if (seen.has('close') && seen.has('pending')) {
    throw new TidingsError('E_COMMAND_INVALID', '#close and #pending contradict each other; use one', { details: { command: 'close' } });
  }
  return out;
}

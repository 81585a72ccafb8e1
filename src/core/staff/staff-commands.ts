import { TidingsError } from '../../errors.js';

/**
 * Commands a staff member writes on the first lines of a message:
 *
 *   #note              the whole message is an internal note: not relayed, the clock keeps running
 *   #close             close the ticket (after relaying the rest of the message, if any)
 *   #level <key>       move the ticket to another service level; the deadline is recomputed from now
 *   #assign <staff>    assign the ticket to a staff member (key or address)
 *   #pending           wait for the client without answering: the clock stops
 *
 * Only the leading block counts: blank lines may separate commands, the first other line ends the
 * block, and a '#' further down is text. A leading line that starts with '#' and a letter is always
 * read as a command, so a typo ("#clsoe") is refused instead of being relayed to the client.
 */
export type StaffCommand =
  | { name: 'note'; line: string }
  | { name: 'close'; line: string }
  | { name: 'pending'; line: string }
  | { name: 'level'; level: string; line: string }
  | { name: 'assign'; staff: string; line: string };

export type StaffCommandName = StaffCommand['name'];

export interface ParsedCommands {
  commands: StaffCommand[];
  /** The text after the command block (leading blank lines removed), line ends as given. */
  rest: string;
}

const COMMAND_LINE = /^[ \t]*#([A-Za-z][\w-]*)(.*)$/;
// Leading lines a mail program may put before what the person typed (a BOM, a non-breaking space).
const BLANK = /^[\s\u00a0\ufeff]*$/;
const NO_ARGS = new Set(['close', 'pending']);

/**
 * Parses the command block. Throws TidingsError E_COMMAND_UNKNOWN for a command that does not
 * exist and E_COMMAND_INVALID for one used wrongly (missing or extra words); details name the line.
 */
export function parseStaffCommands(text: string): ParsedCommands {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const commands: StaffCommand[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (BLANK.test(line)) continue;
    const m = COMMAND_LINE.exec(line.replace(/^[\u00a0\ufeff]+/, ''));
    if (m === null) break;
    commands.push(toCommand(m[1]!.toLowerCase(), m[2]!.trim(), line.trim()));
  }
  return { commands, rest: lines.slice(i).join('\n') };
}

function toCommand(name: string, args: string, line: string): StaffCommand {
  const words = args === '' ? [] : args.split(/\s+/);
  const invalid = (usage: string): TidingsError =>
    new TidingsError('E_COMMAND_INVALID', `"${line}": usage is ${usage}`, { details: { command: name, line } });
  switch (name) {
    case 'note':
      // Text after #note on the same line is part of the note, which is the whole message anyway.
      return { name, line };
    case 'level':
      if (words.length !== 1) throw invalid('#level <level key>');
      return { name, level: words[0]!, line };
    case 'assign':
      if (words.length !== 1) throw invalid('#assign <staff key or address>');
      return { name, staff: words[0]!, line };
    default:
      if (NO_ARGS.has(name)) {
        if (words.length > 0) throw invalid(`#${name} (on a line of its own)`);
        return { name: name as 'close' | 'pending', line };
      }
      throw new TidingsError('E_COMMAND_UNKNOWN', `"${line}": unknown command #${name}; known: #note, #close, #level <key>, #assign <staff>, #pending`, {
        details: { command: name, line },
      });
  }
}

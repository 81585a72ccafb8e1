import { describe, expect, it } from 'vitest';
import { checkCommands } from '../../../src/core/staff/check-commands.js';
import { parseStaffCommands } from '../../../src/core/staff/staff-commands.js';
import { expectCode } from '../mail/helpers.js';

const ctx = { levels: ['commercial', 'non-commercial', 'development'], staff: [{ key: 'eve', email: 'eve@desk.example' }, { key: 'sam', email: 'Sam@Desk.example' }] };

describe('parseStaffCommands', () => {
  it('reads the command block on the first lines and returns the rest', () => {
    const p = parseStaffCommands('#level development\r\n\r\n#ASSIGN sam\nHello,\nthe fix is out.\n#close is not a command here\n');
    expect(p.commands).toEqual([
      { name: 'level', level: 'development', line: '#level development' },
      { name: 'assign', staff: 'sam', line: '#ASSIGN sam' },
    ]);
    expect(p.rest).toBe('Hello,\nthe fix is out.\n#close is not a command here\n');
  });

  it('finds nothing in an ordinary reply, and skips leading blank lines', () => {
    expect(parseStaffCommands('Hello,\n#close\n')).toEqual({ commands: [], rest: 'Hello,\n#close\n' });
    expect(parseStaffCommands('\n\n  \u00a0\n#close\n')).toEqual({ commands: [{ name: 'close', line: '#close' }], rest: '' });
  });

  it('does not read "#123" or "# heading" as a command', () => {
    expect(parseStaffCommands('#123 is your order\n').commands).toEqual([]);
    expect(parseStaffCommands('# Steps\n').commands).toEqual([]);
  });

  it('#note may carry text on its line', () => {
    expect(parseStaffCommands('#note called the client, waiting for logs\nmore').commands).toEqual([{ name: 'note', line: '#note called the client, waiting for logs' }]);
  });

  it('refuses unknown commands and wrong use', () => {
    expectCode(() => parseStaffCommands('#clsoe\nThanks'), 'E_COMMAND_UNKNOWN');
    expectCode(() => parseStaffCommands('#close\n#escalate now'), 'E_COMMAND_UNKNOWN');
    expectCode(() => parseStaffCommands('#level\n'), 'E_COMMAND_INVALID');
    expectCode(() => parseStaffCommands('#level a b\n'), 'E_COMMAND_INVALID');
    expectCode(() => parseStaffCommands('#assign\n'), 'E_COMMAND_INVALID');
    expectCode(() => parseStaffCommands('#close please\n'), 'E_COMMAND_INVALID');
    expectCode(() => parseStaffCommands('#pending 2 days\n'), 'E_COMMAND_INVALID');
  });
});

describe('checkCommands', () => {
  it('resolves #assign by key or address to the staff key', () => {
    const { commands } = parseStaffCommands('#assign SAM@desk.example\n#level commercial\n#note\n');
    expect(checkCommands(commands, ctx)).toEqual([
      { name: 'assign', staff: 'sam', line: '#assign SAM@desk.example' },
      { name: 'level', level: 'commercial', line: '#level commercial' },
      { name: 'note', line: '#note' },
    ]);
  });

  it('refuses an unknown level or staff member, a repeated command, and #close with #pending', () => {
    expectCode(() => checkCommands(parseStaffCommands('#level platinum').commands, ctx), 'E_LEVEL_UNKNOWN');
    expectCode(() => checkCommands(parseStaffCommands('#assign bob').commands, ctx), 'E_STAFF_UNKNOWN');
    expectCode(() => checkCommands(parseStaffCommands('#close\n#close').commands, ctx), 'E_COMMAND_INVALID');
    expectCode(() => checkCommands(parseStaffCommands('#pending\n#close').commands, ctx), 'E_COMMAND_INVALID');
  });

  it('an error names the line and the known choices', () => {
    try {
      checkCommands(parseStaffCommands('#level platinum').commands, ctx);
    } catch (err) {
      expect((err as Error).message).toBe('"#level platinum": unknown level "platinum"; known: commercial, non-commercial, development');
    }
  });
});

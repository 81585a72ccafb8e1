import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configIssues, writeConfigDir, type ConfigDir } from './config-fixture.js';

const dirs: ConfigDir[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.remove();
});
const load = (staff: string) => {
  const d = writeConfigDir({ 'staff.yaml': staff });
  dirs.push(d);
  return () => loadConfig(d.main);
};
const issues = configIssues;

describe('staff notification settings', () => {
  it('default to notifying agents about everything, with a per-ticket cap', () => {
    const c = load('staff:\n  require_auth: false\n  members: []\n')();
    expect(c.staff.notify).toEqual({ new_ticket: true, client_message: true, per_ticket_per_hour: 20 });
    expect(c.staff.group).toBeUndefined();
  });

  it('take a group address and partial notify settings', () => {
    const c = load('staff:\n  require_auth: false\n  group: Team@Desk.example\n  notify: { client_message: false }\n')();
    expect(c.staff.group).toBe('Team@Desk.example');
    expect(c.staff.notify).toEqual({ new_ticket: true, client_message: false, per_ticket_per_hour: 20 });
  });

  it('refuse the support mailbox as the group, a bad address, a zero cap and unknown keys, with file:line', () => {
    expect(issues(load('staff:\n  require_auth: false\n  group: support@desk.example\n'))).toEqual(['staff.yaml:3 staff.group: the staff group cannot be the support mailbox itself']);
    expect(issues(load('staff:\n  require_auth: false\n  group: not-an-address\n'))).toEqual(['staff.yaml:3 staff.group: not an e-mail address']);
    expect(issues(load('staff:\n  require_auth: false\n  notify:\n    per_ticket_per_hour: 0\n'))).toHaveLength(1);
    expect(issues(load('staff:\n  require_auth: false\n  notify: { assignee_only: true }\n'))).toEqual([expect.stringContaining('staff.notify.assignee_only: unknown key')]);
  });
});

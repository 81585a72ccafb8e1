import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { memoryIo } from '../../src/cli/io.js';
import { BASE_FILES, writeConfigDir, type ConfigDir } from './config-fixture.js';

const dirs: ConfigDir[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.remove();
});

/** Replaces one line (1-based) of a base file, so the expected line number is obvious. */
function withLine(file: string, line: number, text: string): string {
  const lines = BASE_FILES[file]!.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

async function checkConfig(overrides: Record<string, string | null>) {
  const d = writeConfigDir(overrides);
  dirs.push(d);
  const io = memoryIo({}, d.dir);
  const code = await runCli(['check-config', d.main], io);
  return { code, stderr: io.stderr, stdout: io.stdout };
}

interface Case {
  name: string;
  overrides: Record<string, string | null>;
  /** Exact `file:line path: message` prefix the admin must see. */
  expect: string;
}

const cases: Case[] = [
  {
    name: 'YAML syntax error',
    overrides: { 'levels.yaml': withLine('levels.yaml', 4, '    response: 24h: oops') },
    expect: 'levels.yaml:4: ',
  },
  {
    name: 'wrong type',
    overrides: { 'tidings.yaml': withLine('tidings.yaml', 4, 'store: { path: ./data/tidings.db, busy_timeout_ms: soon }') },
    expect: 'tidings.yaml:4 store.busy_timeout_ms: expected number',
  },
  {
    name: 'LMTP source with a port out of range',
    overrides: { 'tidings.yaml': withLine('tidings.yaml', 2, 'source: { kind: lmtp, listen: "127.0.0.1:99999" }') },
    expect: 'tidings.yaml:2 source.listen: port out of range (1-65535)',
  },
  {
    name: 'LMTP source listening on neither host:port nor a unix socket',
    overrides: { 'tidings.yaml': withLine('tidings.yaml', 2, 'source: { kind: lmtp, listen: /run/tidings.sock }') },
    expect: 'tidings.yaml:2 source.listen: not host:port or unix:/path/to/socket',
  },
  {
    name: 'unknown key',
    overrides: { 'calendars.yaml': withLine('calendars.yaml', 3, '    timezone: Europe/Berlin\n    zone: Europe/Berlin') },
    expect: 'calendars.yaml:3 calendars.berlin.timezone: unknown key',
  },
  {
    name: 'unknown IANA zone',
    overrides: { 'calendars.yaml': withLine('calendars.yaml', 3, '    zone: Europe/Berlim') },
    expect: 'calendars.yaml:3 calendars.berlin.zone: unknown IANA time zone "Europe/Berlim"',
  },
  {
    name: 'rule naming an unknown level',
    overrides: { 'levels.yaml': withLine('levels.yaml', 13, '  - { when: { licence.type: commercial }, level: premium }') },
    expect: 'levels.yaml:13 rules[0].level: unknown level "premium"',
  },
  {
    name: 'licence address listed twice',
    overrides: { 'licences.yaml': withLine('licences.yaml', 19, '    emails: [carol@gamma.example, Ann@Client.example]') },
    expect: 'licences.yaml:19 licences[2].emails[1]: address ann@client.example is listed twice (also in licences[0].emails[0])',
  },
  {
    name: 'not an e-mail address',
    overrides: { 'licences.yaml': withLine('licences.yaml', 19, '    emails: [carol@gamma.example, dave-at-gamma]') },
    expect: 'licences.yaml:19 licences[2].emails[1]: not an e-mail address',
  },
  {
    name: 'support_from on a licence type without a support window, and no support_until',
    overrides: { 'licences.yaml': withLine('licences.yaml', 6, '    support_from: 2026-11-02') },
    expect: 'licences.yaml:6 licences[0].support_from: counts only for a licence type with a support window (selection.support_days has none for "commercial"); give support_until',
  },
  {
    name: 'licence of a type with a support window, without support_from or support_until',
    overrides: {
      'levels.yaml': withLine('levels.yaml', 16, '  fallback_level: non-commercial\n  support_days: { non-commercial: 30 }'),
      'licences.yaml': BASE_FILES['licences.yaml']!.replace('    type: commercial\n    edition: self-hosted\n    owner: ACME Ltd\n    support_until: 2027-06-30\n', '    type: non-commercial\n    edition: self-hosted\n    owner: ACME Ltd\n'),
    },
    expect: 'licences.yaml:2 licences[0].support_until: required, or support_from: a non-commercial licence has 30 days of support from it (selection.support_days)',
  },
  {
    name: 'bad time range',
    overrides: { 'calendars.yaml': withLine('calendars.yaml', 6, '      tue: ["18:00-09:00"]') },
    expect: 'calendars.yaml:6 calendars.berlin.week.tue[0]: ',
  },
  {
    name: 'overlapping intervals',
    overrides: { 'calendars.yaml': withLine('calendars.yaml', 7, '      wed: ["09:00-13:00", "12:00-18:00"]') },
    expect: 'calendars.yaml:7 calendars.berlin.week.wed: ',
  },
  {
    name: 'missing include',
    overrides: { 'tidings.yaml': withLine('tidings.yaml', 6, 'include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml, holidays.yaml]') },
    expect: 'tidings.yaml:6 include[4]: included file not found: holidays.yaml',
  },
  {
    name: 'required key missing',
    overrides: { 'levels.yaml': withLine('levels.yaml', 4, '') },
    expect: 'levels.yaml:2 levels.commercial.response: required',
  },
  {
    name: 'unknown clock kind',
    overrides: { 'levels.yaml': withLine('levels.yaml', 10, '    clock: weekdays') },
    expect: 'levels.yaml:10 levels.non-commercial.clock: must be one of',
  },
];

describe('check-config on broken configurations', () => {
  it('accepts the valid base configuration', async () => {
    const r = await checkConfig({});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(': ok');
  });

  it.each(cases)('$name → exit 1 and names file:line and path', async ({ overrides, expect: want }) => {
    const r = await checkConfig(overrides);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines.some((l) => l.startsWith(want)), `expected a line starting with\n  ${want}\ngot\n${r.stderr}`).toBe(true);
  });

  it('reports every problem at once, across files', async () => {
    const r = await checkConfig({
      'calendars.yaml': withLine('calendars.yaml', 3, '    zone: Mars/Olympus'),
      'licences.yaml': withLine('licences.yaml', 19, '    emails: [nope]'),
      'levels.yaml': withLine('levels.yaml', 13, '  - { when: { licence.type: commercial }, level: gold }'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('calendars.yaml:3 calendars.berlin.zone:');
    expect(r.stderr).toContain('licences.yaml:19 licences[2].emails[0]: not an e-mail address');
    expect(r.stderr).toContain('levels.yaml:13 rules[0].level:');
    expect(r.stderr).toMatch(/^3 problems in the configuration/);
  });

  it('prints issues as data with --json', async () => {
    const d = writeConfigDir({ 'calendars.yaml': withLine('calendars.yaml', 3, '    zone: Europe/Berlim') });
    dirs.push(d);
    const io = memoryIo({}, d.dir);
    const code = await runCli(['check-config', '--json', 'tidings.yaml'], io);
    expect(code).toBe(1);
    const out = JSON.parse(io.stdout) as { ok: boolean; issues: { file: string; line: number; path: string }[] };
    expect(out.ok).toBe(false);
    expect(out.issues).toEqual([expect.objectContaining({ file: 'calendars.yaml', line: 3, path: 'calendars.berlin.zone' })]);
  });

  it('reports a missing main file with its own code', async () => {
    const io = memoryIo({}, '/');
    const code = await runCli(['--config', '/nonexistent/tidings.yaml', 'check-config'], io);
    expect(code).toBe(1);
    expect(io.stderr).toContain('E_CONFIG_NOT_FOUND');
  });

  it('uses $TIDINGS_CONFIG when no file or --config is given', async () => {
    const d = writeConfigDir();
    dirs.push(d);
    const io = memoryIo({ TIDINGS_CONFIG: d.main }, '/');
    expect(await runCli(['check-config'], io)).toBe(0);
    expect(io.stdout).toContain(d.main);
  });
});

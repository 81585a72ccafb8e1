import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/logger.js';
import { BASE_FILES, configIssues, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function configWithLog(log: string): ConfigDir {
  const d = writeConfigDir({ 'tidings.yaml': `${BASE_FILES['tidings.yaml']}log:\n${log}` });
  cleanups.push(() => d.remove());
  return d;
}

const isJson = (line: string): boolean => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

describe('log.format', () => {
  it('pretty writes readable lines that are not JSON, with the level, message and fields, credentials still masked', () => {
    const chunks: string[] = [];
    const log = createLogger({ level: 'info', format: 'pretty', destination: { write: (s: string) => void chunks.push(s) } });
    log.info({ event: 'ticket.created', tid: 7, source: { password: 'hunter2' } }, 'ticket created');
    const lines = chunks.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some(isJson)).toBe(false);
    expect(lines[0]).toMatch(/INFO.*ticket created/);
    expect(chunks.join('')).toContain('ticket.created');
    expect(chunks.join('')).not.toContain('hunter2');
  });

  it('json stays the default: one JSON object a line', () => {
    const chunks: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void chunks.push(s) } });
    log.info({ event: 'ticket.created' }, 'ticket created');
    expect(chunks.join('').split('\n').filter(Boolean).every(isJson)).toBe(true);
  });

  it('log.file writes to that file, creating its folder, in either format', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-log-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const jsonFile = path.join(dir, 'logs/json.log');
    const prettyFile = path.join(dir, 'logs/pretty.log');
    createLogger({ level: 'info', file: jsonFile }).info({ event: 'a.b' }, 'to a file');
    createLogger({ level: 'info', format: 'pretty', file: prettyFile }).info({ event: 'a.b' }, 'to a file');
    expect(JSON.parse(readFileSync(jsonFile, 'utf8').trim())).toMatchObject({ msg: 'to a file', event: 'a.b' });
    const pretty = readFileSync(prettyFile, 'utf8');
    expect(pretty).toMatch(/INFO.*to a file/);
    // no colour codes in a file
    expect(pretty).not.toContain('\u001b[');
  });

  it('is json by default; takes pretty and a file relative to the config; refuses other formats with file:line', () => {
    expect(loadConfig(configWithLog('  level: info\n').main).log.format).toBe('json');
    const d = configWithLog('  format: pretty\n  file: ./logs/tidings.log\n');
    const c = loadConfig(d.main);
    expect(c.log.format).toBe('pretty');
    expect(c.log.file).toBe(path.join(d.dir, 'logs/tidings.log'));
    expect(configIssues(() => loadConfig(configWithLog('  format: xml\n').main))).toEqual([expect.stringMatching(/^tidings\.yaml:8 log\.format: must be one of "json", "pretty"/)]);
  });
});

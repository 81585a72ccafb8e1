import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { BASE_FILES, configIssues, writeConfigDir, type ConfigDir } from './config-fixture.js';

const dirs: ConfigDir[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.remove();
});

function load(replace: Record<string, string>) {
  let main = BASE_FILES['tidings.yaml']!;
  for (const [from, to] of Object.entries(replace)) main = main.replace(from, to);
  const d = writeConfigDir({ 'tidings.yaml': main });
  dirs.push(d);
  return loadConfig(d.main);
}

const issues = (replace: Record<string, string>): string[] => configIssues(() => load(replace));

describe('store and source throughput settings', () => {
  it('default to a 32 MiB page cache and IMAP batches of 250', () => {
    const c = load({ 'source: { kind: maildir, path: ./data/inbox }': 'source: { kind: imap, host: 127.0.0.1, user: support@desk.example }' });
    expect(c.store.cache_mb).toBe(32);
    expect(c.source.kind === 'imap' && c.source.batch_size).toBe(250);
  });

  it('take a cache size in MiB and refuse zero or a fraction with file:line', () => {
    expect(load({ 'store: { path: ./data/tidings.db }': 'store: { path: ./data/tidings.db, cache_mb: 256 }' }).store.cache_mb).toBe(256);
    expect(issues({ 'store: { path: ./data/tidings.db }': 'store: { path: ./data/tidings.db, cache_mb: 0 }' })).toEqual([
      expect.stringMatching(/^tidings\.yaml:4 store\.cache_mb: /),
    ]);
    expect(issues({ 'store: { path: ./data/tidings.db }': 'store: { path: ./data/tidings.db, cache_mb: 1.5 }' })).toEqual([
      expect.stringMatching(/^tidings\.yaml:4 store\.cache_mb: /),
    ]);
  });
});

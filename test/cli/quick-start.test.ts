import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { loadConfig } from '../../src/config/load-config.js';
import { runCli } from '../../src/cli/program.js';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** The message the README's "Try it" block writes with `cat > /tmp/hello.eml <<'EOF'`. */
function readmeMessage(): Buffer {
  const m = /cat > \/tmp\/hello\.eml <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(readme);
  if (!m) throw new Error('README has no hello.eml heredoc');
  return Buffer.from(`${m[1]!.replace(/\n/g, '\r\n')}\r\n`);
}

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

describe('the README quick start on the embedded default configuration', () => {
  it('gives the example sender a licensed level, and the README shows what the ack says', async () => {
    // A copy of config/ (its store and folders live in ../data, so the copy gets its own)
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-quick-start-'));
    dirs.push(dir);
    cpSync(path.join(root, 'config'), path.join(dir, 'config'), { recursive: true, filter: (src) => !src.includes(`${path.sep}examples`) });
    const config = path.join(dir, 'config/tidings.yaml');
    // The README's message is dated Monday 23 November 2026, 10:00 Berlin
    const io = memoryIo({}, dir, Date.parse('2026-11-23T09:00:00Z'));
    (io as { stdin: Buffer }).stdin = readmeMessage();
    expect(await runCli(['--config', config, 'ingest'], io)).toBe(0);
    expect(io.stdout).toMatch(/stored ticket TID#1\b/);

    const show = memoryIo({}, dir);
    expect(await runCli(['--config', config, 'show', '1'], show)).toBe(0);
    expect(show.stdout).toMatch(/^level +commercial-self-hosted\b/m);
    const licence = /^licence +(\S+)/m.exec(show.stdout)?.[1];
    expect(licence).toBeDefined();

    const db = new Database(path.join(dir, 'data/tidings.db'), { readonly: true });
    const ack = db.prepare("SELECT mail FROM outbox WHERE kind = 'ack'").get() as { mail: string };
    db.close();
    const text = (JSON.parse(ack.mail) as { text: string }).text;
    expect(text).toContain('Service level: Commercial client, self-hosted.');
    // what the README promises the newcomer sees
    expect(readme).toContain('Service level: Commercial client, self-hosted.');
    expect(readme).toContain(`licence    ${licence}`);
    const licenceLine = /^Licence: .*$/m.exec(text)?.[0];
    expect(licenceLine).toBe('Licence: BX-1005 (Client Example Ltd).');
    expect(readme).toContain(licenceLine);
    expect(text).not.toMatch(/no licence|not licensed|expired/i);
  });

  it('keeps the quick-start licence valid far past today', () => {
    const sender = /^From: .*<(\S+)>/m.exec(readmeMessage().toString('utf8'))?.[1];
    const licence = loadConfig(path.join(root, 'config/tidings.yaml')).licences.find((l) => l.emails.includes(sender!));
    expect(licence).toBeDefined();
    expect(String(licence!.support_until) >= '2030-12-31').toBe(true);
  });
});

// The IMAP source against a scripted server: hung FETCH (watchdog), silent IDLE (poll fallback),
// no MOVE (keyword acknowledgement). See fake-imap-server.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { createImapSource, PROCESSED_KEYWORD, type ImapSource, type ImapSourceConfig } from '../../src/sources/imap-source.js';
import type { Repositories } from '../../src/store/repositories.js';
import { freshRepos } from '../store/helpers.js';
import { startFakeImap, type FakeImap, type FakeImapOptions } from './fake-imap-server.js';
import { mail, memoryLogger, recordingHandler, silent, USER, waitFor, type RecordingHandler } from './helpers.js';

describe('IMAP source against a scripted server', () => {
  let fake: FakeImap | undefined;
  let source: ImapSource | undefined;
  let repos: Repositories | undefined;

  afterEach(async () => {
    await source?.stop();
    await fake?.stop();
    repos?.db.close();
    source = fake = repos = undefined;
  });

  const setup = async (
    fakeOpts: FakeImapOptions,
    h: RecordingHandler,
    cfg: Partial<ImapSourceConfig> = {},
    logger = silent(),
  ): Promise<{ fake: FakeImap; source: ImapSource }> => {
    fake = await startFakeImap(fakeOpts);
    repos = freshRepos();
    source = createImapSource({
      // built by hand, so below the schema's minimums on purpose
      config: { host: '127.0.0.1', port: fake.port, secure: false, user: USER, folder: 'INBOX', processed_folder: 'Processed', poll_seconds: 60, fetch_timeout_seconds: 10, batch_size: 10, ...cfg },
      password: 'pw',
      cursors: repos.cursors,
      handler: h.handler,
      logger,
      now: () => Date.now(),
      retry: { initialMs: 50, maxMs: 200 },
    });
    return { fake, source };
  };

  it('the watchdog closes a connection whose FETCH hangs, reconnects and carries on', async () => {
    const h = recordingHandler();
    const log = memoryLogger('debug');
    const { fake: f, source: s } = await setup({ hangBodyFetches: 1, move: true }, h, { fetch_timeout_seconds: 0.3 }, log.logger);
    f.add(mail(1, 'hang'));
    await s.start();
    await waitFor('the message handled after the hang', () => h.stored().length === 1, 10_000);
    expect(h.subjects()).toEqual(['hang number 1']);
    expect(f.connections()).toBeGreaterThanOrEqual(2);
    expect(s.status().reconnects).toBeGreaterThanOrEqual(1);
    expect(s.status().lastError).toMatch(/fetch messages did not finish within 300 ms/);
    expect(log.lines().some((l) => l.event === 'imap.watchdog.expired')).toBe(true);
    await waitFor('moved', () => f.messages.length === 0);
  });

  it('stop() does not wait for the watchdog when a command hangs', async () => {
    const h = recordingHandler();
    const { fake: f, source: s } = await setup({ hangBodyFetches: 1 }, h, { fetch_timeout_seconds: 300 });
    f.add(mail(1, 'stuck'));
    await s.start();
    await waitFor('the body fetch sent', () => f.commands.some((c) => /^UID FETCH 1 .*BODY/i.test(c)));
    const outcome = await Promise.race([s.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), 20_000))]);
    expect(outcome).toBe('stopped');
    expect(s.status().state).toBe('stopped');
    expect(h.calls).toHaveLength(0);
    source = undefined;
  });

  it('finds new mail by polling when IDLE never reports it', async () => {
    const h = recordingHandler();
    const { fake: f, source: s } = await setup({ move: true }, h, { poll_seconds: 0.3 });
    await s.start();
    await waitFor('idling', () => f.commands.includes('IDLE'));
    f.add(mail(1, 'poll'));
    await waitFor('found by the poll', () => h.stored().length === 1, 10_000);
    f.add(mail(2, 'poll'));
    await waitFor('found by the next poll', () => h.stored().length === 2, 10_000);
    expect(h.subjects()).toEqual(['poll number 1', 'poll number 2']);
  });

  it('without MOVE it sets the keyword and never copies, deletes or expunges', async () => {
    const h = recordingHandler();
    const { fake: f, source: s } = await setup({ move: false }, h);
    f.add(mail(1, 'nomove'));
    f.add(mail(2, 'nomove'));
    await s.start();
    await waitFor('both handled', () => h.stored().length === 2);
    await waitFor('both flagged', () => f.messages.every((m) => m.flags.has(PROCESSED_KEYWORD)));
    expect(f.messages).toHaveLength(2);
    const cmds = f.commands.join('\n');
    expect(cmds).toMatch(/UID STORE 1:2 \+FLAGS\.SILENT \(\$TidingsProcessed\)/);
    expect(cmds).not.toMatch(/MOVE|COPY|EXPUNGE|\\Deleted|CREATE/i);
  });

  it('skips a message another client expunged between listing and fetching, and hands over the rest', async () => {
    const h = recordingHandler();
    const log = memoryLogger('debug');
    const { fake: f, source: s } = await setup({ move: true, expungeOnBodyFetch: [2] }, h, {}, log.logger);
    for (let i = 1; i <= 3; i++) f.add(mail(i, 'gone'));
    await s.start();
    await waitFor('1 and 3 handled', () => h.stored().length === 2);
    expect(h.subjects()).toEqual(['gone number 1', 'gone number 3']);
    expect(log.lines().filter((l) => l.event === 'imap.message.vanished').map((l) => l.uid)).toEqual([2]);
    expect(repos!.cursors.getCursor(s.name)?.lastUid).toBe(3);
  });

  it('skips the highest UID that "n:*" returns when nothing is new', async () => {
    const h = recordingHandler();
    const { fake: f, source: s } = await setup({ move: false }, h, { poll_seconds: 0.2 });
    f.add(mail(1, 'star'));
    await s.start();
    await waitFor('handled once', () => h.stored().length === 1);
    // several polls ask for "2:*", which the server answers with UID 1
    await waitFor('three more polls', () => f.commands.filter((c) => c.startsWith('UID SEARCH UID 2:*')).length >= 3, 10_000);
    expect(h.calls).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger, maskCredentials, type Logger } from '../../src/log/logger.js';

/** A logger writing into memory; `lines()` parses what it wrote. */
function memoryLogger(level = 'debug'): { log: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const log = createLogger({ level, destination: { write: (s: string) => void chunks.push(s) } });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, text };
}

describe('logger', () => {
  it('writes pino JSON with the app name, level, message and normal fields untouched', () => {
    const { log, lines } = memoryLogger();
    log.info({ event: 'ticket.created', tid: 1234, from: 'ann@client.example', imap: { host: '127.0.0.1', port: 143, user: 'support@desk.example' } }, 'ticket created');
    const [line] = lines();
    expect(line).toMatchObject({
      level: 30,
      app: 'tidings',
      msg: 'ticket created',
      event: 'ticket.created',
      tid: 1234,
      from: 'ann@client.example',
      imap: { host: '127.0.0.1', port: 143, user: 'support@desk.example' },
    });
  });

  it('masks password, pass, token, secret, hmacKey and auth fields at the top level and nested', () => {
    const { log, lines, text } = memoryLogger();
    log.info({
      password: 'top-pw',
      token: 'top-token',
      secret: 'top-secret',
      hmacKey: 'top-hmac',
      source: { kind: 'imap', user: 'support@desk.example', password: 'imap-pw', token: 'oauth-token' },
      transport: { smtp: { host: 'mx', pass: 'smtp-pw', secret: 'nested-secret' } },
      mailer: { auth: { user: 'u', pass: 'auth-pw' } },
      headers: { authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'text/plain' },
    });
    const [line] = lines();
    expect(line).toMatchObject({
      password: '***',
      token: '***',
      secret: '***',
      hmacKey: '***',
      source: { kind: 'imap', user: 'support@desk.example', password: '***', token: '***' },
      transport: { smtp: { host: 'mx', pass: '***', secret: '***' } },
      mailer: { auth: '***' },
      headers: { authorization: '***', 'content-type': 'text/plain' },
    });
    for (const secret of ['top-pw', 'top-token', 'top-secret', 'top-hmac', 'imap-pw', 'oauth-token', 'smtp-pw', 'nested-secret', 'auth-pw', 'dXNlcjpwYXNz']) {
      expect(text()).not.toContain(secret);
    }
  });

  it('keeps password_env / password_file: they name where the secret is, not the secret', () => {
    const { log, lines } = memoryLogger();
    log.info({ source: { password_env: 'TIDINGS_IMAP_PASSWORD', password_file: '/run/secrets/imap' } });
    expect(lines()[0]).toMatchObject({ source: { password_env: 'TIDINGS_IMAP_PASSWORD', password_file: '/run/secrets/imap' } });
  });

  it('masks user:pass credentials in URLs inside string fields, keeping the user and host', () => {
    const { log, lines, text } = memoryLogger();
    log.info({
      url: 'imap://support:s3cr3t@mail.desk.example:993/INBOX',
      note: 'tried smtps://relay:hunter2@smtp.example and https://x:y@h.example/path',
      plain: 'https://desk.example/tickets/1234',
      mail: 'mailto ann@client.example',
    });
    expect(lines()[0]).toMatchObject({
      url: 'imap://support:***@mail.desk.example:993/INBOX',
      note: 'tried smtps://relay:***@smtp.example and https://x:***@h.example/path',
      plain: 'https://desk.example/tickets/1234',
      mail: 'mailto ann@client.example',
    });
    for (const secret of ['s3cr3t', 'hunter2', ':y@']) expect(text()).not.toContain(secret);
  });

  it('masks "Password: xyz" style lines inside string fields', () => {
    const { log, lines, text } = memoryLogger();
    log.info({ quoted: 'Hello,\nPassword: xyz-123\nLogin: admin\npassword=abc pwd: q9 passwd = zz\nThanks' });
    expect(lines()[0]?.quoted).toBe('Hello,\nPassword: ***\nLogin: admin\npassword=*** pwd: *** passwd = ***\nThanks');
    for (const secret of ['xyz-123', 'abc', 'q9', 'zz']) expect(text()).not.toContain(secret);
  });

  it('masks credentials in error messages and stacks', () => {
    const { log, lines, text } = memoryLogger();
    log.error({ err: new Error('connect failed: smtp://bob:hunter2@mx.example, password: hunter2') }, 'send failed');
    const err = lines()[0]?.err as { message: string; stack: string; type: string };
    expect(err.type).toBe('Error');
    expect(err.message).toBe('connect failed: smtp://bob:***@mx.example, password: ***');
    expect(err.stack).toContain('smtp://bob:***@mx.example');
    expect(text()).not.toContain('hunter2');
  });

  it('gives each component a child logger that keeps masking', () => {
    const { log, lines, text } = memoryLogger();
    componentLogger(log, 'imap').warn({ password: 'pw', url: 'imap://u:pw2@h/' , uid: 7 }, 'reconnecting');
    expect(lines()[0]).toMatchObject({ component: 'imap', password: '***', url: 'imap://u:***@h/', uid: 7, msg: 'reconnecting', level: 40 });
    expect(text()).not.toContain('pw2');
  });

  it('respects the level', () => {
    const { log, lines } = memoryLogger('warn');
    log.info('hidden');
    log.warn('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });

  describe('maskCredentials', () => {
    it.each([
      ['imap://user:pass@host', 'imap://user:***@host'],
      ['Password: xyz', 'Password: ***'],
      ['PASSWORD:xyz', 'PASSWORD:***'],
      ['nothing secret here', 'nothing secret here'],
      ['ann@client.example', 'ann@client.example'],
      ['passport: 1234', 'passport: 1234'],
    ])('%s → %s', (input, output) => {
      expect(maskCredentials(input)).toBe(output);
    });
  });

  describe('beyond fixed redact paths', () => {
    it('masks credentials in the log message string itself', () => {
      const { log, text } = memoryLogger();
      log.info('login imap://support:leaked@host failed, Password: leaked2');
      expect(text()).not.toContain('leaked');
    });

    it('masks Russian "Пароль:" lines (\\b does not match before Cyrillic)', () => {
      expect(maskCredentials('Пароль: секрет')).toBe('Пароль: ***');
    });

    it('masks secret keys deeper than two levels', () => {
      const { log, text } = memoryLogger();
      log.info({ a: { b: { c: { password: 'deep-secret' } } } });
      expect(text()).not.toContain('deep-secret');
    });
  });
});

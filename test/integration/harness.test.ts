// Proves the integration harness: a private Dovecot (IMAP + LMTP) and an SMTP sink, both on free
// local ports, started and stopped by the test itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { probe } from '../support/net.js';

const SUPPORT = { user: 'support@desk.example', password: 'pw-support' };
const STAFF = { user: 'alice@desk.example', password: 'pw-alice' };

function message(n: number, extra = ''): string {
  return [
    `From: Client ${n} <client${n}@customer.example>`,
    'To: support@desk.example',
    `Subject: Harness message ${n} [test]`,
    `Message-ID: <harness-${n}@customer.example>`,
    'Date: Mon, 06 Jan 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Body of message ${n}. Привет.`,
    '.a line starting with a dot must survive dot-stuffing',
    '.',
    'last line' + extra,
    '',
  ].join('\r\n');
}

async function fetchInbox(server: DovecotServer, user: string): Promise<Array<{ uid: number; source: Buffer; subject: string }>> {
  const client = await server.connect(user);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const out: Array<{ uid: number; source: Buffer; subject: string }> = [];
      for await (const m of client.fetch('1:*', { uid: true, source: true, envelope: true }, { uid: true })) {
        out.push({ uid: m.uid, source: m.source!, subject: m.envelope?.subject ?? '' });
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

describe('Dovecot harness', () => {
  let dovecot: DovecotServer;

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [SUPPORT, STAFF] });
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('starts on free local ports with IMAP and LMTP greetings', async () => {
    expect(dovecot.host).toBe('127.0.0.1');
    expect(dovecot.imapPort).toBeGreaterThan(0);
    expect(dovecot.lmtpPort).toBeGreaterThan(0);
    expect(dovecot.imapPort).not.toBe(dovecot.lmtpPort);
    expect((await probe(dovecot.imapPort)).greeting).toMatch(/^\* OK/);
    expect((await probe(dovecot.lmtpPort)).greeting).toMatch(/^220 /);
  });

  it('advertises IDLE, UIDPLUS, MOVE and CONDSTORE after login', async () => {
    const client = await dovecot.connect(SUPPORT.user);
    try {
      for (const cap of ['IDLE', 'UIDPLUS', 'MOVE', 'CONDSTORE']) expect(client.capabilities.has(cap), cap).toBe(true);
      const list = await client.list();
      const paths = list.map((m) => m.path);
      expect(paths).toEqual(expect.arrayContaining(['INBOX', 'Processed', 'Sent', 'Trash']));
      expect(list.find((m) => m.path === 'Sent')?.specialUse).toBe('\\Sent');
    } finally {
      await client.logout();
    }
  });

  it('delivers by LMTP in order; IMAP returns the delivered bytes after the headers Dovecot prepends', async () => {
    const sent = [1, 2, 3].map((n) => message(n));
    for (const raw of sent) await dovecot.deliver(SUPPORT.user, raw, { from: 'bounce@customer.example' });

    const inbox = await fetchInbox(dovecot, SUPPORT.user);
    expect(inbox).toHaveLength(3);
    expect(inbox.map((m) => m.subject)).toEqual([1, 2, 3].map((n) => `Harness message ${n} [test]`));
    const uids = inbox.map((m) => m.uid);
    expect([...uids].sort((a, b) => a - b)).toEqual(uids);
    for (const [i, m] of inbox.entries()) {
      const raw = Buffer.from(sent[i]!, 'utf8');
      // Dovecot prepends Return-Path, Delivered-To and Received; everything after is byte-identical
      expect(m.source.subarray(m.source.length - raw.length).equals(raw)).toBe(true);
      const prefix = m.source.subarray(0, m.source.length - raw.length).toString('latin1');
      expect(prefix).toMatch(/^Return-Path: <bounce@customer\.example>\r\n/);
      expect(prefix).toMatch(/\r\nReceived: /);
      expect(m.source.toString('utf8')).toContain(`Body of message ${i + 1}. Привет.`);
    }
    // a different user's mailbox stays empty
    expect(await fetchInbox(dovecot, STAFF.user)).toHaveLength(0);
  });

  it('normalises bare LF to CRLF on delivery', async () => {
    await dovecot.deliver(STAFF.user, 'Subject: lf only\n\nline one\n.dotted\n');
    const [m] = await fetchInbox(dovecot, STAFF.user);
    expect(m!.subject).toBe('lf only');
    expect(m!.source.toString('latin1').endsWith('Subject: lf only\r\n\r\nline one\r\n.dotted\r\n')).toBe(true);
  });

  it('rejects delivery to an unknown user with a clear error', async () => {
    await expect(dovecot.deliver('nobody@desk.example', message(9))).rejects.toThrow(/RCPT TO.*nobody@desk\.example.*55\d/);
  });

  it('APPENDs to another folder with flags and returns the UID', async () => {
    const raw = message(4);
    const uid = await dovecot.append(SUPPORT.user, 'Processed', raw, ['\\Seen']);
    expect(uid).toBe(1);
    const client = await dovecot.connect(SUPPORT.user);
    try {
      const lock = await client.getMailboxLock('Processed');
      try {
        const m = await client.fetchOne(String(uid), { source: true, flags: true, envelope: true }, { uid: true });
        expect(m && m.source!.equals(Buffer.from(raw))).toBe(true); // APPEND stores bytes verbatim
        expect(m && m.flags?.has('\\Seen')).toBe(true);
        expect(m && m.envelope?.subject).toBe('Harness message 4 [test]');
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it('rejects a wrong password', async () => {
    const client = new ImapFlow(dovecot.imapOptions(SUPPORT.user, { auth: { user: SUPPORT.user, pass: 'wrong' } }));
    client.on('error', () => undefined);
    const err = (await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    )) as (Error & { authenticationFailed?: boolean; serverResponseCode?: string }) | undefined;
    expect(err).toBeInstanceOf(Error);
    expect(err!.authenticationFailed).toBe(true);
    expect(err!.serverResponseCode).toBe('AUTHENTICATIONFAILED');
    client.close();
  });

  it('restart keeps the ports and the mail; a client connected before sees the connection drop', async () => {
    const { imapPort, lmtpPort } = dovecot;
    const before = await dovecot.connect(SUPPORT.user);
    const closed = new Promise<void>((resolve) => before.once('close', () => resolve()));
    await before.mailboxOpen('INBOX');

    await dovecot.restart();
    await closed; // shutdown_clients = yes: the old session is cut, clients must reconnect
    expect(dovecot.running).toBe(true);
    expect(dovecot.imapPort).toBe(imapPort);
    expect(dovecot.lmtpPort).toBe(lmtpPort);

    const inbox = await fetchInbox(dovecot, SUPPORT.user);
    expect(inbox.map((m) => m.subject)).toEqual([1, 2, 3].map((n) => `Harness message ${n} [test]`));
    // delivery keeps working and UIDs keep growing across the restart
    await dovecot.deliver(SUPPORT.user, message(5));
    const after = await fetchInbox(dovecot, SUPPORT.user);
    expect(after).toHaveLength(4);
    expect(after[3]!.uid).toBeGreaterThan(inbox[2]!.uid);
    expect(after[3]!.subject).toBe('Harness message 5 [test]');
  });
});

describe('Dovecot harness start/stop', () => {
  it('stop closes both ports and removes the temp dir', async () => {
    const { existsSync } = await import('node:fs');
    const d = await startDovecot();
    const { dir, imapPort, lmtpPort } = d;
    expect(existsSync(`${dir}/dovecot.conf`)).toBe(true);
    await d.deliver('support@desk.example', message(1));
    await d.stop();
    expect(d.running).toBe(false);
    expect((await probe(imapPort)).accepted).toBe(false);
    expect((await probe(lmtpPort)).accepted).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('SMTP sink', () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink?.stop();
  });

  function mail(n: number): SendMailOptions {
    return {
      from: 'support@desk.example',
      to: ['client@customer.example', 'cc@customer.example'],
      subject: `[TID#${n}] sink test`,
      text: `hello ${n}\n.dot line\n`,
      messageId: `<sink-${n}@desk.example>`,
    };
  }

  it('records a message sent with nodemailer', async () => {
    sink.clear();
    const transport = nodemailer.createTransport(sink.transportOptions());
    try {
      const info = await transport.sendMail(mail(1));
      expect(info.accepted).toEqual(['client@customer.example', 'cc@customer.example']);
      const [m] = await sink.waitFor(1, 5_000);
      expect(m!.from).toBe('support@desk.example');
      expect(m!.to).toEqual(['client@customer.example', 'cc@customer.example']);
      const text = m!.raw.toString('utf8');
      expect(text).toContain('Subject: [TID#1] sink test');
      expect(text).toContain('Message-ID: <sink-1@desk.example>');
      expect(text).toContain('\r\n.dot line\r\n'); // un-stuffed
    } finally {
      transport.close();
    }
  });

  it('answers 451 at DATA until told otherwise, then accepts', async () => {
    sink.clear();
    const transport = nodemailer.createTransport(sink.transportOptions());
    try {
      sink.failNext('data', 451);
      for (let i = 0; i < 2; i++) {
        const err = (await transport.sendMail(mail(2)).catch((e: unknown) => e)) as Error & { responseCode?: number };
        expect(err).toBeInstanceOf(Error);
        expect(err.responseCode).toBe(451);
      }
      expect(sink.messages).toHaveLength(0);
      expect(sink.rejections).toBe(2);
      sink.resetFailures();
      await transport.sendMail(mail(2));
      expect(await sink.waitFor(1, 5_000)).toHaveLength(1);
    } finally {
      transport.close();
    }
  });

  it('fails exactly the next N transactions at RCPT, with a permanent code', async () => {
    sink.clear();
    const transport = nodemailer.createTransport(sink.transportOptions());
    try {
      sink.failNext('rcpt', 550, 1);
      const err = (await transport.sendMail(mail(3)).catch((e: unknown) => e)) as Error & { responseCode?: number };
      expect(err.responseCode).toBe(550);
      await transport.sendMail(mail(3)); // the budget of one transaction is spent
      expect(await sink.waitFor(1, 5_000)).toHaveLength(1);
    } finally {
      transport.close();
    }
  });

  it('can refuse one recipient and accept the other', async () => {
    sink.clear();
    const transport = nodemailer.createTransport(sink.transportOptions());
    try {
      sink.fail({ stage: 'rcpt', code: 550, recipients: ['cc@customer.example'], times: 1 });
      const info = await transport.sendMail(mail(4));
      expect(info.accepted).toEqual(['client@customer.example']);
      expect(info.rejected).toEqual(['cc@customer.example']);
      const [m] = await sink.waitFor(1, 5_000);
      expect(m!.to).toEqual(['client@customer.example']);
    } finally {
      transport.close();
      sink.resetFailures();
    }
  });

  it('a pooled transport does not hold stop() open', async () => {
    const other = await startSmtpSink();
    const transport = nodemailer.createTransport({ ...other.transportOptions(), pool: true });
    await transport.sendMail(mail(5));
    const t0 = Date.now();
    await other.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
    transport.close();
  });

  it('requires AUTH when configured and rejects a wrong password', async () => {
    const authSink = await startSmtpSink({ auth: { user: 'desk', password: 'smtp-secret' } });
    try {
      const bad = nodemailer.createTransport(authSink.transportOptions({ user: 'desk', pass: 'nope' }));
      const err = (await bad.sendMail(mail(6)).catch((e: unknown) => e)) as Error & { code?: string; responseCode?: number };
      expect(err.code).toBe('EAUTH');
      expect(err.responseCode).toBe(535);
      bad.close();

      const anonymous = nodemailer.createTransport(authSink.transportOptions());
      const err2 = (await anonymous.sendMail(mail(6)).catch((e: unknown) => e)) as Error & { responseCode?: number };
      expect(err2.responseCode).toBe(530);
      anonymous.close();

      const good = nodemailer.createTransport(authSink.transportOptions({ user: 'desk', pass: 'smtp-secret' }));
      await good.sendMail(mail(6));
      const [m] = await authSink.waitFor(1, 5_000);
      expect(m!.user).toBe('desk');
      good.close();
    } finally {
      await authSink.stop();
    }
  });
});

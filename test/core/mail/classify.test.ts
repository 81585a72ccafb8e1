import { describe, expect, it } from 'vitest';
import { classifyMessage, DEFAULT_SPAM_RULES, type MessageFacts } from '../../../src/core/mail/classify.js';
import type { MailHeaders } from '../../../src/core/mail/mail-headers.js';

/** A person's ordinary mail, to which each case adds or changes fields. */
const human: MailHeaders = {
  from: ['"Ann Client" <Ann@Client.Example>'],
  to: ['support@desk.example'],
  subject: ['Printer does not print'],
  'return-path': ['<ann@client.example>'],
  'content-type': ['text/plain; charset=utf-8'],
};

const classify = (extra: Record<string, string[]>, facts: MessageFacts = {}) => classifyMessage({ ...human, ...extra }, facts);

describe('human mail', () => {
  it('is human and returns the lower-cased sender for the staff check', () => {
    expect(classifyMessage(human)).toEqual({ kind: 'human', reason: 'no automated, bounce or spam marker', sender: 'ann@client.example' });
  });

  it.each<[string, Record<string, string[]>]>([
    ['Auto-Submitted: no', { 'auto-submitted': ['no'] }],
    ['Auto-Submitted: No (comment)', { 'auto-submitted': ['No (manually sent)'] }],
    ['Precedence: first-class', { precedence: ['first-class'] }],
    ['X-Auto-Response-Suppress: DR, RN, NRN (receipts only)', { 'x-auto-response-suppress': ['DR, RN, NRN'] }],
    ['X-Spam-Flag: NO', { 'x-spam-flag': ['NO'] }],
    ['X-Spam-Status: No, score=-1.0', { 'x-spam-status': ['No, score=-1.0 required=5.0'] }],
    ['a subject about a bounce from a person', { subject: ['Returned mail: my message to you bounced'] }],
    ['a subject mentioning an auto reply later on', { subject: ['Question about the automatic reply feature'] }],
    ['multipart/mixed', { 'content-type': ['multipart/mixed; boundary=x'] }],
    ['Reply-To a noreply address (only From and Return-Path count)', { 'reply-to': ['noreply@client.example'] }],
  ])('%s stays human', (_, extra) => expect(classify(extra).kind).toBe('human'));
});

describe('automated', () => {
  it.each<[string, Record<string, string[]>, MessageFacts | undefined, string]>([
    ['Auto-Submitted: auto-replied', { 'auto-submitted': ['auto-replied'] }, undefined, 'Auto-Submitted: auto-replied'],
    ['Auto-Submitted: auto-generated (failure) from a non-bounce', { 'auto-submitted': ['auto-generated'] }, undefined, 'Auto-Submitted: auto-generated'],
    ['Auto-Submitted with an unknown keyword', { 'auto-submitted': ['auto-notified; owner=x'] }, undefined, 'Auto-Submitted: auto-notified; owner=x'],
    ['Auto-Submitted empty', { 'auto-submitted': [''] }, undefined, 'Auto-Submitted: '],
    ['Precedence: bulk', { precedence: ['bulk'] }, undefined, 'Precedence: bulk'],
    ['Precedence: junk', { precedence: ['Junk'] }, undefined, 'Precedence: Junk'],
    ['Precedence: list', { precedence: ['list'] }, undefined, 'Precedence: list'],
    ['Precedence: auto_reply', { precedence: ['auto_reply'] }, undefined, 'Precedence: auto_reply'],
    ['List-Id', { 'list-id': ['<users.lists.example>'] }, undefined, 'List-Id: <users.lists.example>'],
    ['List-Unsubscribe alone', { 'list-unsubscribe': ['<mailto:u@lists.example>'] }, undefined, 'list-unsubscribe present'],
    ['List-Post alone', { 'list-post': ['<mailto:l@lists.example>'] }, undefined, 'list-post present'],
    ['X-Autoreply: yes', { 'x-autoreply': ['yes'] }, undefined, 'x-autoreply present'],
    ['X-Autorespond with any value', { 'x-autorespond': ['whatever'] }, undefined, 'x-autorespond present'],
    ['X-Auto-Response-Suppress: All', { 'x-auto-response-suppress': ['All'] }, undefined, 'X-Auto-Response-Suppress: All'],
    ['X-Auto-Response-Suppress: OOF, AutoReply', { 'x-auto-response-suppress': ['DR, OOF, AutoReply'] }, undefined, 'X-Auto-Response-Suppress: DR, OOF, AutoReply'],
    ['X-Apple-Action: VACATION', { 'x-apple-action': ['VACATION'] }, undefined, 'X-Apple-Action: vacation'],
    ['Automatic reply subject', { subject: ['Automatic reply: Printer'] }, undefined, 'auto-reply subject: Automatic reply: Printer'],
    ['Out of office subject', { subject: ['Out of Office: back Monday'] }, undefined, 'auto-reply subject: Out of Office: back Monday'],
    ['Russian auto-reply subject', { subject: ['Автоответ: Принтер'] }, undefined, 'auto-reply subject: Автоответ: Принтер'],
    ['null Return-Path header', { 'return-path': ['<>'] }, undefined, 'null Return-Path (<>)'],
    ['null envelope sender given by the caller', {}, { returnPath: '' }, 'null Return-Path (<>)'],
    ['Return-Path <MAILER-DAEMON>', { 'return-path': ['<MAILER-DAEMON>'] }, undefined, 'Return-Path mailer-daemon is a mail system address'],
    ['From MAILER-DAEMON', { from: ['Mail Delivery System <MAILER-DAEMON@mx.example>'] }, undefined, 'sender mailer-daemon@mx.example is a mail system address'],
    ['From postmaster', { from: ['postmaster@client.example'] }, undefined, 'sender postmaster@client.example is a mail system address'],
    ['From noreply', { from: ['Shop <noreply@shop.example>'] }, undefined, 'sender noreply@shop.example is a no-reply address'],
    ['From no-reply with a tag', { from: ['no-reply+orders@shop.example'] }, undefined, 'sender no-reply+orders@shop.example is a no-reply address'],
    ['From do_not_reply', { from: ['do_not_reply@bank.example'] }, undefined, 'sender do_not_reply@bank.example is a no-reply address'],
    ['Return-Path noreply', { 'return-path': ['<donotreply@bounce.example>'] }, undefined, 'Return-Path donotreply@bounce.example is a no-reply address'],
    ['a feedback (abuse) report', { 'content-type': ['multipart/report; report-type=feedback-report; boundary=x'] }, undefined, 'multipart/report; report-type=feedback-report'],
    ['a read receipt', { 'content-type': ['multipart/report; report-type="disposition-notification"; boundary=x'] }, undefined, 'multipart/report; report-type=disposition-notification'],
  ])('%s', (_, extra, facts, reason) => {
    expect(classify(extra, facts)).toEqual({ kind: 'automated', reason, sender: expect.anything() as unknown });
  });

  it('the envelope sender given by the caller wins over the Return-Path header', () => {
    expect(classify({ 'return-path': ['<>'] }, { returnPath: 'ann@client.example' }).kind).toBe('human');
  });
});

describe('bounce', () => {
  it.each<[string, Record<string, string[]>, MessageFacts | undefined, string]>([
    ['multipart/report; report-type=delivery-status', { 'content-type': ['multipart/report; report-type=delivery-status; boundary="b"'] }, undefined, 'multipart/report; report-type=delivery-status'],
    ['quoted, upper-case report type', { 'content-type': ['Multipart/Report; boundary=b; Report-Type="Delivery-Status"'] }, undefined, 'multipart/report; report-type=delivery-status'],
    ['global delivery status (RFC 6533)', { 'content-type': ['multipart/report; report-type=global-delivery-status; boundary=b'] }, undefined, 'multipart/report; report-type=global-delivery-status'],
    ['a delivery-status part inside another multipart', { 'content-type': ['multipart/mixed; boundary=b'] }, { hasDeliveryStatus: true }, 'message/delivery-status part'],
    ['X-Failed-Recipients (exim)', { 'x-failed-recipients': ['ann@client.example'] }, undefined, 'X-Failed-Recipients: ann@client.example'],
    [
      'Postfix subject from MAILER-DAEMON',
      { from: ['MAILER-DAEMON@mx.example (Mail Delivery System)'], subject: ['Undelivered Mail Returned to Sender'] },
      undefined,
      'bounce subject from a mail system: Undelivered Mail Returned to Sender',
    ],
    [
      'Gmail subject with a null Return-Path',
      { from: ['Mail Delivery Subsystem <mailer-daemon@googlemail.com>'], 'return-path': ['<>'], subject: ['Delivery Status Notification (Failure)'] },
      undefined,
      'bounce subject from a mail system: Delivery Status Notification (Failure)',
    ],
    ['qmail failure notice', { from: ['MAILER-DAEMON@q.example'], subject: ['failure notice'] }, undefined, 'bounce subject from a mail system: failure notice'],
    ['From "MAILER-DAEMON <>"', { from: ['MAILER-DAEMON <>'], subject: ['Mail delivery failed'] }, undefined, 'bounce subject from a mail system: Mail delivery failed'],
    ['German Exchange', { from: ['postmaster@client.example'], subject: ['Unzustellbar: Drucker'] }, undefined, 'bounce subject from a mail system: Unzustellbar: Drucker'],
  ])('%s', (_, extra, facts, reason) => {
    expect(classify(extra, facts)).toMatchObject({ kind: 'bounce', reason });
  });

  it('a bounce wins over the automated markers every bounce also carries', () => {
    const dsn = { 'content-type': ['multipart/report; report-type=delivery-status; boundary=b'], 'auto-submitted': ['auto-replied'], 'return-path': ['<>'] };
    expect(classify(dsn).kind).toBe('bounce');
  });
});

describe('spam', () => {
  it.each<[string, Record<string, string[]>, string]>([
    ['X-Spam-Flag: YES', { 'x-spam-flag': ['YES'] }, 'x-spam-flag: YES'],
    ['X-Spam-Status: Yes, score=9', { 'x-spam-status': ['Yes, score=9.1 required=5.0 tests=BAYES_99'] }, 'x-spam-status: Yes, score=9.1 required=5.0 tests=BAYES_99'],
    ['rspamd X-Spam: yes', { 'x-spam': ['yes'] }, 'x-spam: yes'],
  ])('%s', (_, extra, reason) => expect(classify(extra)).toMatchObject({ kind: 'spam', reason }));

  it('wins over bounce and automated', () => {
    expect(classify({ 'x-spam-flag': ['YES'], 'content-type': ['multipart/report; report-type=delivery-status'], 'auto-submitted': ['auto-replied'] }).kind).toBe('spam');
  });

  it('uses configured rules instead of the defaults', () => {
    const rules = [{ header: 'X-Filter-Verdict', pattern: /^spam$/gi }];
    const headers = { ...human, 'x-filter-verdict': ['SPAM'], 'x-spam-flag': ['YES'] };
    expect(classifyMessage(headers, {}, { spamRules: rules })).toMatchObject({ kind: 'spam', reason: 'X-Filter-Verdict: SPAM' });
    // A g-flag pattern keeps state in lastIndex; the second call must still match.
    expect(classifyMessage(headers, {}, { spamRules: rules }).kind).toBe('spam');
    expect(classifyMessage({ ...human, 'x-spam-flag': ['YES'] }, {}, { spamRules: [] }).kind).toBe('human');
  });

  it('has SpamAssassin and rspamd defaults', () => expect(DEFAULT_SPAM_RULES.map((r) => r.header)).toEqual(['x-spam-flag', 'x-spam-status', 'x-spam']));
});

describe('sender seam', () => {
  it('is undefined without a From', () => {
    const { from: _from, ...noFrom } = human;
    expect(classifyMessage(noFrom).sender).toBeUndefined();
  });
  it('ignores a display name posing as an address', () => {
    expect(classify({ from: ['"boss@desk.example" <mallory@evil.example>'] }).sender).toBe('mallory@evil.example');
  });
  it('is returned for every class', () => {
    expect(classify({ 'x-spam-flag': ['YES'] }).sender).toBe('ann@client.example');
  });
  it('does not find Object.prototype members as headers', () => {
    expect(classifyMessage({ ...human, constructor: ['x'] } as MailHeaders).kind).toBe('human');
  });
});

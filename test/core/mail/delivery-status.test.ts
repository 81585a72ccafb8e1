import { describe, expect, it } from 'vitest';
import {
  failedRecipientsFromHeaders,
  isPermanentStatus,
  originalMessageIdFromHeaders,
  originalMessageIdFromText,
  parseDeliveryStatus,
} from '../../../src/core/mail/delivery-status.js';

const lines = (...l: string[]): string => l.join('\r\n');

describe('parseDeliveryStatus', () => {
  it('parses the RFC 3464 example layout with two recipients', () => {
    const report = parseDeliveryStatus(
      lines(
        'Reporting-MTA: dns; mx.desk.example',
        'Arrival-Date: Mon, 15 Jun 2026 10:00:00 +0200',
        '',
        'Original-Recipient: rfc822;Ann@Client.Example',
        'Final-Recipient: rfc822; ann@mail.client.example',
        'Action: failed',
        'Status: 5.1.1',
        'Remote-MTA: dns; mx.client.example',
        'Diagnostic-Code: smtp; 550 5.1.1 <ann@mail.client.example>: Recipient address',
        '    rejected: User unknown in virtual mailbox table',
        '',
        'Final-Recipient: rfc822;bob@client.example',
        'Action: delayed',
        'Status: 4.4.1',
        'Will-Retry-Until: Tue, 16 Jun 2026 10:00:00 +0200',
        '',
      ),
    );
    expect(report).toEqual({
      reportingMta: 'mx.desk.example',
      arrivalDate: 'Mon, 15 Jun 2026 10:00:00 +0200',
      recipients: [
        {
          address: 'ann@mail.client.example',
          originalRecipient: 'ann@client.example',
          finalRecipient: 'ann@mail.client.example',
          action: 'failed',
          status: '5.1.1',
          remoteMta: 'mx.client.example',
          diagnosticCode: '550 5.1.1 <ann@mail.client.example>: Recipient address rejected: User unknown in virtual mailbox table',
          isPermanent: true,
        },
        { address: 'bob@client.example', finalRecipient: 'bob@client.example', action: 'delayed', status: '4.4.1', isPermanent: false },
      ],
    });
  });

  it('splits recipients that are not separated by a blank line', () => {
    const report = parseDeliveryStatus(
      lines('Reporting-MTA: dns; mx', 'Final-Recipient: rfc822; a@x.example', 'Action: failed', 'Status: 5.0.0', 'Final-Recipient: rfc822; b@x.example', 'Action: failed', 'Status: 5.2.2'),
    );
    expect(report.recipients.map((r) => [r.address, r.status])).toEqual([
      ['a@x.example', '5.0.0'],
      ['b@x.example', '5.2.2'],
    ]);
  });

  it('takes the status from the Diagnostic-Code when Status is missing or malformed', () => {
    const report = parseDeliveryStatus(lines('Final-Recipient: rfc822; a@x.example', 'Action: failed', 'Status: unknown', 'Diagnostic-Code: smtp; 552 5.2.2 Mailbox full'));
    expect(report.recipients[0]).toMatchObject({ status: '5.2.2', isPermanent: true });
  });

  it('uses Original-Recipient when Final-Recipient is missing, with LF line ends and mixed case names', () => {
    const report = parseDeliveryStatus('ORIGINAL-RECIPIENT: rfc822;<Carol@X.Example>\nACTION: Failed\nSTATUS: 5.1.10 (address rejected)\n');
    expect(report.recipients).toEqual([{ address: 'carol@x.example', originalRecipient: 'carol@x.example', action: 'failed', status: '5.1.10', isPermanent: true }]);
  });

  it('decodes RFC 6533 utf-8 addresses', () => {
    const report = parseDeliveryStatus('Final-Recipient: utf-8; \\x{0430}\\x{043D}\\x{044F}@client.example\nAction: failed\nStatus: 5.1.1\n');
    expect(report.recipients[0]?.address).toBe('аня@client.example');
  });

  it('keeps a recipient that is a pipe (exim local delivery); it just matches none of ours', () => {
    const report = parseDeliveryStatus('Reporting-MTA: dns; mx\n\nAction: failed\nFinal-Recipient: rfc822;|/usr/bin/procmail ann\nStatus: 5.0.0\n');
    expect(report.recipients[0]).toMatchObject({ address: '|/usr/bin/procmail ann', isPermanent: true });
  });

  it.each<[string, string, boolean]>([
    ['failed', '5.1.1', true],
    ['failed', '4.4.7', false],
    ['delayed', '4.4.1', false],
    ['delivered', '2.0.0', false],
    ['relayed', '5.0.0', false],
  ])('Action %s with Status %s is permanent: %s', (action, status, permanent) => {
    const report = parseDeliveryStatus(`Final-Recipient: rfc822; a@x.example\nAction: ${action}\nStatus: ${status}\n`);
    expect(report.recipients[0]?.isPermanent).toBe(permanent);
  });

  it('drops blocks without a recipient and survives garbage', () => {
    expect(parseDeliveryStatus('Reporting-MTA: dns; mx\n\nAction: failed\nStatus: 5.0.0\n').recipients).toEqual([]);
    expect(parseDeliveryStatus('').recipients).toEqual([]);
    expect(parseDeliveryStatus('This is not a report at all.\nJust: text').recipients).toEqual([]);
  });
});

describe('isPermanentStatus', () => {
  it.each<[string | undefined, boolean]>([
    ['5.1.1', true],
    ['5.0.0 (permanent failure)', true],
    ['4.2.2', false],
    ['2.0.0', false],
    ['550', false],
    ['192.168.5.1.1', false],
    [undefined, false],
  ])('%j → %s', (status, expected) => expect(isPermanentStatus(status)).toBe(expected));
});

describe('original Message-ID', () => {
  it('reads it from returned headers (text/rfc822-headers or message/rfc822)', () => {
    const returned = lines('Return-Path: <support@desk.example>', 'Message-ID:', ' <tidings.5.ack.abc.def@desk.example>', 'Subject: [TID#5] x', '', 'body Message-ID: <not-this@x>');
    expect(originalMessageIdFromHeaders(returned)).toBe('tidings.5.ack.abc.def@desk.example');
    expect(originalMessageIdFromHeaders('Subject: no id\r\n')).toBeUndefined();
  });

  it('finds a Message-ID line quoted in a non-standard bounce text', () => {
    const text = 'This is a copy of the message, including all the headers.\n------\nReturn-path: <support@desk.example>\n  Message-Id: <orig@desk.example>\n';
    expect(originalMessageIdFromText(text)).toBe('orig@desk.example');
    expect(originalMessageIdFromText('nothing here')).toBeUndefined();
  });
});

describe('failedRecipientsFromHeaders', () => {
  it('splits, lower-cases and dedupes exim X-Failed-Recipients', () => {
    expect(failedRecipientsFromHeaders({ 'x-failed-recipients': ['Ann@X.example, bob@x.example', 'ann@x.example'] })).toEqual(['ann@x.example', 'bob@x.example']);
    expect(failedRecipientsFromHeaders({})).toEqual([]);
  });
});

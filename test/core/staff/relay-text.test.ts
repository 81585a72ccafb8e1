import { describe, expect, it } from 'vitest';
import { REPLY_MARKER } from '../../../src/core/staff/reply-marker.js';
import { relayText } from '../../../src/core/staff/relay-text.js';

const NOTE = `${REPLY_MARKER.en}

New message on [TID#7] from Ann Client <ann@client.example>
Level: Commercial (commercial)
Licence: BX-1001, ACME Ltd`;

describe('relayText', () => {
  it('cuts the quoted notification at our marker, with a Gmail attribution line', () => {
    const text = `Hello Ann,\n\nplease restart the service.\n\nOn Mon, 23 Nov 2026 at 10:05, Support <support@desk.example> wrote:\n${NOTE.split('\n').map((l) => `> ${l}`).join('\n')}\n`;
    expect(relayText(text)).toBe('Hello Ann,\n\nplease restart the service.');
  });

  it('joins an attribution a mail program wrapped over two lines', () => {
    const text = `Done.\n\nOn Mon, 23 Nov 2026 at 10:05, Support\n<support@desk.example> wrote:\n> ${REPLY_MARKER.en}\n> Level: x\n`;
    expect(relayText(text)).toBe('Done.');
  });

  it('cuts an unquoted Outlook-style quote with its header block and separator', () => {
    const text = `Thanks, fixed.\r\n\r\n________________________________\r\nFrom: Support <support@desk.example>\r\nSent: Monday, 23 November 2026 10:05\r\nTo: Eve Agent <eve@desk.example>\r\nSubject: [TID#7] Cannot log in\r\n\r\n${NOTE}\r\n`;
    expect(relayText(text)).toBe('Thanks, fixed.');
  });

  it('cuts a Russian attribution and marker', () => {
    const text = `Добрый день!\nИсправлено.\n\nпн, 23 нояб. 2026 г. в 10:05, Support <support@desk.example>:\n> ${REPLY_MARKER.ru}\n> Уровень: x\n`;
    expect(relayText(text)).toBe('Добрый день!\nИсправлено.');
  });

  it('removes the signature after "-- " and other quoted text without our marker', () => {
    const text = 'The update is online.\n\n-- \nEve Agent\nSecond-level support\neve@desk.example\n+49 30 1234567\n';
    expect(relayText(text)).toBe('The update is online.');
    expect(relayText('Try again now.\n\n> an older mail\n> quoted\n')).toBe('Try again now.');
  });

  it('keeps a reply that ends in a header-like line without a From line', () => {
    expect(relayText('The release is planned.\nDate: Friday\n')).toBe('The release is planned.\nDate: Friday');
  });

  it('gives "" when nothing but quote and signature is left', () => {
    expect(relayText(`\n\nOn Mon, Support <support@desk.example> wrote:\n> ${REPLY_MARKER.en}\n> x\n`)).toBe('');
    expect(relayText('-- \nEve\n')).toBe('');
    expect(relayText('')).toBe('');
  });

  it('never lets anything below the marker through, even with no attribution', () => {
    const out = relayText(`Short answer.\n${NOTE}\nmore internal text\n`);
    expect(out).toBe('Short answer.');
    expect(out).not.toContain('Licence');
  });
});

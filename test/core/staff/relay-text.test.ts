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

// Sign-offs at the end are cut in every language the desk answers in; the same phrases inside
// real text, or with a sentence below them, stay.
describe('relayText: sign-offs (en, ru, de)', () => {
  const cut: readonly (readonly [string, string, string])[] = [
    ['en Regards', 'Fixed.\n\nKind regards,\nEve Agent\n', 'Fixed.'],
    ['en Thanks + title', 'The update is online.\n\nThanks,\nEve\nSecond-level support\n', 'The update is online.'],
    ['en Best + phone', 'Please retry.\n\nBest,\nEve Agent\n+49 30 1234567\neve@desk.example\n', 'Please retry.'],
    ['en name on the line', 'Done.\n\nBest regards, Eve Agent\n', 'Done.'],
    ['ru С уважением', 'Добрый день!\nИсправлено.\n\nС уважением,\nИван Петров\nСлужба поддержки\n', 'Добрый день!\nИсправлено.'],
    ['ru С уважением, имя', 'Обновление установлено.\n\nС уважением, Иван\n', 'Обновление установлено.'],
    ['ru Спасибо', 'Проверьте, пожалуйста, ещё раз.\n\nСпасибо,\nИван\n', 'Проверьте, пожалуйста, ещё раз.'],
    ['ru Заранее спасибо', 'Пришлите логи сервера.\nЗаранее спасибо!\n'.replace('!', ','), 'Пришлите логи сервера.'],
    ['ru Всего доброго', 'Готово.\n\nВсего доброго!\nАнна\n', 'Готово.'],
    ['ru "--" signature', 'Готово.\n\n--\nИван Петров\n+7 495 123-45-67\n', 'Готово.'],
    ['ru "-- " signature', 'Готово.\n\n-- \nИван Петров\nwww.desk.example\n', 'Готово.'],
    ['ru autocorrected dash', 'Готово.\n\n—\nИван Петров\n', 'Готово.'],
    ['de Mit freundlichen Grüßen', 'Das Update ist installiert.\n\nMit freundlichen Grüßen\nHans Müller\nSupport\n', 'Das Update ist installiert.'],
    ['de Viele Grüße', 'Bitte erneut versuchen.\n\nViele Grüße\nHans\n', 'Bitte erneut versuchen.'],
    ['de MfG', 'Erledigt.\n\nMfG\nHans Müller\n', 'Erledigt.'],
    ['de Vielen Dank', 'Bitte senden Sie uns das Protokoll.\n\nVielen Dank,\nHans\n', 'Bitte senden Sie uns das Protokoll.'],
  ];
  it.each(cut)('cuts %s', (_name, text, relayed) => {
    expect(relayText(text)).toBe(relayed);
  });

  const keep: readonly (readonly [string, string])[] = [
    ['en Thanks starting a sentence', 'Hello Ann,\n\nThanks, we found the cause and fixed it.'],
    ['en a closing sentence after thanks', 'Thanks,\nwe have fixed the login form, please retry.'],
    ['en Thanks, then a sentence', 'We looked at it.\n\nThanks,\nThe fix will be deployed tonight, please check again tomorrow.'],
    ['ru Спасибо, что', 'Спасибо, что написали.\nОшибка исправлена.'],
    ['ru Спасибо in the middle', 'Добрый день!\n\nСпасибо,\nвсё работает, проверил на тестовом стенде.\n\nОбновите модуль.'],
    ['ru С уважением in the middle', 'Ответ:\nС уважением к вашему времени сообщаем, что всё исправлено.'],
    ['ru sign-off far from the end', 'Готово.\n\nС уважением,\nИван\n\nP.S. Ещё одно: после обновления очистите кеш браузера и войдите снова.'],
    ['ru a reply that is only thanks', 'Спасибо!'],
    ['de Vielen Dank für', 'Vielen Dank für Ihre Geduld.\nDas Problem ist behoben.'],
    ['de Grüße in a sentence', 'Das Team sendet Grüße und ein Update: alles läuft.'],
  ];
  it.each(keep)('keeps %s', (_name, text) => {
    expect(relayText(text)).toBe(text);
  });
});

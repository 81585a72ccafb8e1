import { describe, expect, it } from 'vitest';
import { answerLanguage, clearLanguage } from '../../../src/core/mail/message-language.js';

describe('clearLanguage', () => {
  it.each([
    ['Не работает выгрузка', 'Здравствуйте, выгрузка не работает с утра.', 'ru'],
    ['Export fails', 'Hello, the export fails since this morning. Иван Петров', 'en'],
    // an English error pasted into Russian prose does not switch it
    ['Ошибка при оформлении заказа', 'Добрый день! После обновления при оформлении заказа видим Error 500 снова.', 'ru'],
    ['Re: [TID#12] Проблема', 'Добрый день! Error 500 снова.', 'ru'],
    // too short to judge
    ['Help', 'Ошибка 500', undefined],
    ['Ошибка', 'Error 500', undefined],
    ['12345', '2026-11-23 10:00 +++ ///', undefined],
    // split between the two
    ['Import problem', 'Hello, при импорте товаров the import stops at 50% и пишет timeout.', undefined],
    // only the first 2000 characters of the text count
    ['', `${'a'.repeat(2000)}${'я'.repeat(5000)}`, 'en'],
  ] as const)('%s / %s → %s', (subject, text, expected) => {
    expect(clearLanguage(subject, text)).toBe(expected);
  });
});

describe('answerLanguage', () => {
  const russian = ['Не работает выгрузка', 'Здравствуйте, выгрузка не работает с утра.'] as const;
  const short = ['Help', 'Ошибка 500'] as const;
  it.each([
    ['a clear message over the licence', russian, 'en', 'en', 'ru'],
    ['a clear message over the default', russian, undefined, 'en', 'ru'],
    ['the licence for an unclear message', short, 'ru', 'en', 'ru'],
    ['the licence for an unclear message (en)', short, 'en', 'ru', 'en'],
    ['the default last', short, undefined, 'ru', 'ru'],
  ] as const)('%s', (_name, [subject, text], licence, fallback, expected) => {
    expect(answerLanguage(subject, text, licence, fallback)).toBe(expected);
  });
});

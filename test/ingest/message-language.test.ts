import { describe, expect, it } from 'vitest';
import { messageLanguage } from '../../src/ingest/message-language.js';

describe('messageLanguage', () => {
  it.each([
    ['Не работает выгрузка', 'Здравствуйте, выгрузка не работает с утра.', 'en', 'ru'],
    ['Export fails', 'Hello, the export fails since this morning. Иван Петров', 'ru', 'en'],
    ['Re: [TID#12] Проблема', 'Добрый день! Error 500 снова.', 'en', 'ru'],
    ['12345', '2026-11-23 10:00 +++ ///', 'ru', 'ru'],
    ['12345', '2026-11-23 10:00', 'en', 'en'],
    // only the first 2000 characters of the text count
    ['', `${'a'.repeat(2000)}${'я'.repeat(5000)}`, 'ru', 'en'],
  ] as const)('%s / %s… → %s default gives %s', (subject, text, fallback, expected) => {
    expect(messageLanguage(subject, text, fallback)).toBe(expected);
  });
});

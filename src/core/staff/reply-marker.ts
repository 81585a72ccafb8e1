import type { Language } from '../calendar/describe-hours.js';

/**
 * The first line of every mail we send to staff. Whatever a staff member's mail program does with
 * the quoted original (">" prefixes, an Outlook header block, a Gmail "On ... wrote:" line, or
 * nothing at all in a top-posted HTML reply), this line survives in the text, so the relay can
 * cut there and never send the notification's internal details (level, licence, other
 * addresses) on to the client.
 */
export const REPLY_MARKER: Readonly<Record<Language, string>> = Object.freeze({
  en: '##- Please type your reply above this line -##',
  ru: '##- Пишите ответ выше этой строки -##',
});

/** Any language's marker, quoted or not, also when a mail program wrapped or re-spaced it. */
export const REPLY_MARKER_LINE = /##-[^\n]{0,80}-##/;

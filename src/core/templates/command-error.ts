import type { Language } from '../calendar/describe-hours.js';
import { REPLY_MARKER } from '../staff/reply-marker.js';

export type CommandErrorKind = 'command' | 'no-ticket' | 'empty';

export interface CommandErrorInput {
  lang: Language;
  kind: CommandErrorKind;
  /** `[TID#42]` when the message reached a ticket. */
  tag?: string | undefined;
  /** The error text (which line, what is wrong); for kind 'command'. */
  error?: string | undefined;
  /** Known level keys and staff keys, so the answer says what would have worked. */
  levels: readonly string[];
  staff: readonly string[];
}

const T = {
  en: {
    command: (tag: string) => `Your message on ${tag} was not carried out, and nothing was sent to the client:`,
    'no-ticket': 'Your message was not sent to any client: it names no ticket. Reply to a notification, or keep [TID#n] in the subject.',
    empty: (tag: string) =>
      `Nothing was sent to the client on ${tag}: after removing the quoted text and your signature, your message was empty. Write your answer above the quoted text.`,
    fix: 'Correct the message and send it again. Commands go on the first lines:',
    levels: 'Levels',
    staff: 'Staff',
  },
  ru: {
    command: (tag: string) => `Ваше письмо в ${tag} не выполнено, клиенту ничего не отправлено:`,
    'no-ticket': 'Ваше письмо никому не отправлено: в нём нет номера обращения. Ответьте на уведомление или оставьте [TID#n] в теме.',
    empty: (tag: string) =>
      `Клиенту в ${tag} ничего не отправлено: без цитаты и подписи письмо оказалось пустым. Пишите ответ над цитатой.`,
    fix: 'Исправьте письмо и отправьте его снова. Команды пишутся в первых строках:',
    levels: 'Уровни',
    staff: 'Сотрудники',
  },
} as const;

/** The automatic answer to a staff message that was refused. Starts with the reply marker like every mail to staff. */
export function renderCommandError(e: CommandErrorInput): string {
  const t = T[e.lang];
  const tag = e.tag ?? '';
  const lines: string[] = [REPLY_MARKER[e.lang], ''];
  if (e.kind === 'command') lines.push(t.command(tag), '', `  ${e.error ?? ''}`);
  else if (e.kind === 'no-ticket') lines.push(t['no-ticket']);
  else lines.push(t.empty(tag));
  lines.push('', t.fix, '  #note, #close, #level <key>, #assign <staff>, #pending');
  lines.push(`${t.levels}: ${e.levels.join(', ')}`);
  lines.push(`${t.staff}: ${e.staff.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

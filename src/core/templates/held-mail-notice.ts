import type { Language } from '../calendar/describe-hours.js';

export interface HeldMailNoticeInput {
  lang: Language;
  /** The From of the held message, as written. */
  from: string;
  subject: string;
  /** Why the staff check refused it (StaffAuthDecision detail). */
  detail: string;
  quarantineId: number;
}

const T = {
  en: {
    intro: 'A message in our own name failed the authentication check. It may be forged: it was held, nobody was answered and no ticket was opened.',
    from: 'From',
    subject: 'Subject',
    reason: 'Reason',
    held: (id: number) => `Quarantine entry: #${id}`,
    release: (id: number) =>
      `If it is genuine, \`tidings reprocess ${id}\` releases it as a client message (never as staff mail); \`tidings reprocess --list\` shows everything held. Fix the mail setup (docs/deploy.md) so staff mail authenticates.`,
  },
  ru: {
    intro: 'Письмо от нашего имени не прошло проверку подлинности. Возможно, оно поддельное: оно задержано, ответ не отправлен, обращение не заведено.',
    from: 'От',
    subject: 'Тема',
    reason: 'Причина',
    held: (id: number) => `Запись в карантине: #${id}`,
    release: (id: number) =>
      `Если письмо настоящее, \`tidings reprocess ${id}\` обработает его как письмо клиента (не как письмо сотрудника); \`tidings reprocess --list\` покажет всё задержанное. Настройте почту (docs/deploy.md), чтобы письма сотрудников проходили проверку.`,
  },
} as const;

/** The notice supervisors get when mail in our own name is held for failing the staff check. */
export function renderHeldMailNotice(n: HeldMailNoticeInput): string {
  const t = T[n.lang];
  return `${[t.intro, '', `${t.from}: ${n.from}`, `${t.subject}: ${n.subject}`, `${t.reason}: ${n.detail}`, t.held(n.quarantineId), '', t.release(n.quarantineId)].join('\n')}\n`;
}

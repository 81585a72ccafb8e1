import type { Language } from '../calendar/describe-hours.js';
import { deadlineText } from '../templates/deadline-text.js';

export interface EscalationNoticeInput {
  lang: Language;
  /** "[TID#42]" */
  tag: string;
  ticketSubject: string;
  threshold: string;
  /** Breach or later (the deadline has passed at `nowMs`). */
  overdue: boolean;
  level: { key: string; name: string };
  deadlineMs: number;
  zone: string;
  /** Clock time left in ms (working time on a business clock); negative when overdue. */
  leftMs: number;
  clockKind: 'business' | '24x7' | 'calendar-days';
  requester: string;
  assignee: string | null;
  mailbox: string;
}

/** "3h 20m" */
export function durationText(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h ${m}m`;
}

export function escalationSubject(n: Pick<EscalationNoticeInput, 'lang' | 'tag' | 'ticketSubject' | 'overdue' | 'threshold'>): string {
  if (n.lang === 'ru') return `${n.overdue ? 'Просрочен' : 'Срок подходит'} (${n.threshold}): ${n.tag} ${n.ticketSubject}`;
  return `${n.overdue ? 'Overdue' : 'Due soon'} (${n.threshold}): ${n.tag} ${n.ticketSubject}`;
}

/** The notice body: TID, level, deadline in the level's zone, time left or overdue in the clock's own time. */
export function renderEscalationNotice(n: EscalationNoticeInput): string {
  const business = n.clockKind === 'business';
  if (n.lang === 'ru') {
    const unit = business ? ' рабочего времени' : '';
    return [
      `Заявка ${n.tag}: ${n.ticketSubject}`,
      `Порог: ${n.threshold}`,
      `Уровень: ${n.level.name} (${n.level.key})`,
      `Срок ответа: ${deadlineText(n.deadlineMs, n.zone, 'ru')}`,
      n.overdue ? `Просрочено на ${durationText(n.leftMs)}${unit}` : `Осталось ${durationText(n.leftMs)}${unit}`,
      `Клиент: ${n.requester}`,
      `Ответственный: ${n.assignee ?? 'не назначен'}`,
      '',
      `Ответьте на это письмо или напишите на ${n.mailbox}, сохранив ${n.tag} в теме.`,
      '',
    ].join('\n');
  }
  const unit = business ? ' of working time' : '';
  return [
    `Ticket ${n.tag}: ${n.ticketSubject}`,
    `Threshold: ${n.threshold}`,
    `Level: ${n.level.name} (${n.level.key})`,
    `Response due: ${deadlineText(n.deadlineMs, n.zone, 'en')}`,
    n.overdue ? `Overdue by ${durationText(n.leftMs)}${unit}` : `Time left: ${durationText(n.leftMs)}${unit}`,
    `Client: ${n.requester}`,
    `Assignee: ${n.assignee ?? 'none'}`,
    '',
    `Reply to this mail or write to ${n.mailbox} keeping ${n.tag} in the subject.`,
    '',
  ].join('\n');
}

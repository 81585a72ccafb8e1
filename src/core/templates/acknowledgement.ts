import type { Language } from '../calendar/describe-hours.js';
import { deadlineText } from './deadline-text.js';

export interface AcknowledgementInput {
  lang: Language;
  /** `[TID#42]`, exactly as it must stay in the subject. */
  tag: string;
  /** Subject of the acknowledgement, already tagged. */
  subject: string;
  requesterName?: string | undefined;
  levelName: string;
  /** The sender's licence the level was chosen by (also when its support has ended). */
  licence?: { key: string; owner: string } | undefined;
  clock: 'business' | '24x7' | 'calendar-days';
  deadlineMs: number;
  /** Zone the client is promised the deadline in: the level's calendar zone. */
  zone: string;
  /** `Mon-Fri 09:00-18:00 (Europe/Berlin), except public holidays`; absent for 24x7. */
  workingHours?: string | undefined;
  /** Why the level is lower than the client may expect (no licence, support expired). */
  reason?: string | undefined;
  /** Level reached with a VIP coupon: the client sees which coupon was used. */
  coupon?: { code: string; usedThisYear: number; perYear: number } | undefined;
  /** A VIP coupon in the message that was not used, and why (reason-text's couponRejectionText). */
  couponRefused?: string | undefined;
  signature: string;
}

export interface RenderedText {
  subject: string;
  text: string;
}

/**
 * The acknowledgement text. Seed 4.4-4.5: it gives the ticket number and asks the client to keep it
 * in the subject; seed 4.9: a lower level says why, and so does a VIP coupon that was not used (the
 * client would otherwise see the lower level with no word why); the deadline is shown in the
 * calendar's zone.
 */
export function renderAcknowledgement(a: AcknowledgementInput): RenderedText {
  const due = deadlineText(a.deadlineMs, a.zone, a.lang);
  const lines: string[] = [];
  if (a.lang === 'ru') {
    lines.push(a.requesterName ? `Здравствуйте, ${a.requesterName}!` : 'Здравствуйте!', '');
    lines.push(`Ваше обращение зарегистрировано под номером ${a.tag}.`);
    lines.push(`Уровень поддержки: ${a.levelName}.`);
    if (a.licence) lines.push(`Лицензия: ${a.licence.key} (${a.licence.owner}).`);
    lines.push(`Мы ответим не позднее: ${due}.`);
    if (a.clock === 'business' && a.workingHours) lines.push(`Срок считается в рабочее время: ${a.workingHours}.`);
    if (a.clock === '24x7') lines.push('Обращение обрабатывается круглосуточно.');
    if (a.clock === 'calendar-days') lines.push('Срок считается в календарных днях.');
    if (a.coupon) lines.push(`Использован VIP-купон ${a.coupon.code} (${a.coupon.usedThisYear} из ${a.coupon.perYear} в этом году).`);
    if (a.couponRefused) lines.push('', a.couponRefused);
    if (a.reason) lines.push('', a.reason);
    lines.push('', `Пожалуйста, сохраняйте ${a.tag} в теме письма при ответе: так ваше письмо попадёт в это же обращение.`);
    lines.push('Это письмо отправлено автоматически.', '', `-- `, a.signature);
  } else {
    lines.push(a.requesterName ? `Hello ${a.requesterName},` : 'Hello,', '');
    lines.push(`Your request has been registered as ${a.tag}.`);
    lines.push(`Service level: ${a.levelName}.`);
    if (a.licence) lines.push(`Licence: ${a.licence.key} (${a.licence.owner}).`);
    lines.push(`We will answer by: ${due}.`);
    if (a.clock === 'business' && a.workingHours) lines.push(`The response time counts working hours: ${a.workingHours}.`);
    if (a.clock === '24x7') lines.push('This request is handled around the clock.');
    if (a.clock === 'calendar-days') lines.push('The response time counts calendar days.');
    if (a.coupon) lines.push(`VIP coupon ${a.coupon.code} was used (${a.coupon.usedThisYear} of ${a.coupon.perYear} this year).`);
    if (a.couponRefused) lines.push('', a.couponRefused);
    if (a.reason) lines.push('', a.reason);
    lines.push('', `Please keep ${a.tag} in the subject when you reply, so your message joins this request.`);
    lines.push('This message was sent automatically.', '', `-- `, a.signature);
  }
  return { subject: a.subject, text: `${lines.join('\n')}\n` };
}

import type { Language } from '../calendar/describe-hours.js';

/** The closing mail: the ticket is closed, how to rate it, and (when needed) a reminder to change access data. */
export function renderClosingMail(c: { lang: Language; tag: string; credentials: boolean; reopenDays: number; auto: boolean }): string {
  if (c.lang === 'ru') {
    return [
      'Здравствуйте!',
      '',
      c.auto ? `Заявка ${c.tag} закрыта, так как мы не получили от вас ответа.` : `Заявка ${c.tag} закрыта.`,
      '',
      'Пожалуйста, оцените нашу работу: ответьте на это письмо одной цифрой от 1 (плохо) до 5 (отлично), например «Оценка: 5».',
      ...(c.credentials
        ? ['', 'В переписке по заявке были переданы доступы (пароли, логины). Пожалуйста, смените эти пароли теперь, когда работа завершена.']
        : []),
      '',
      `Если вопрос не решён, ответьте на это письмо в течение ${c.reopenDays} дн. — заявка откроется снова.`,
      '',
    ].join('\n');
  }
  return [
    'Hello,',
    '',
    c.auto ? `Ticket ${c.tag} has been closed because we did not hear back from you.` : `Ticket ${c.tag} has been closed.`,
    '',
    'Please rate our help: reply to this mail with one number from 1 (poor) to 5 (excellent), e.g. "Rating: 5".',
    ...(c.credentials
      ? ['', 'Access data (passwords, logins) was shared in this ticket. Please change those passwords now that the work is done.']
      : []),
    '',
    `If the problem is not solved, reply to this mail within ${c.reopenDays} days and the ticket opens again.`,
    '',
  ].join('\n');
}

export function renderBmpNote(c: { lang: Language; tag: string }): string {
  if (c.lang === 'ru') {
    return [
      'Здравствуйте!',
      '',
      `Спасибо за скриншот к заявке ${c.tag}. Файлы BMP очень большие; пожалуйста, присылайте скриншоты в формате PNG или JPG либо упакуйте BMP в архив (zip).`,
      '',
    ].join('\n');
  }
  return [
    'Hello,',
    '',
    `Thank you for the screenshot in ticket ${c.tag}. BMP files are very large: please send screenshots as PNG or JPG, or compress the BMP (zip).`,
    '',
  ].join('\n');
}

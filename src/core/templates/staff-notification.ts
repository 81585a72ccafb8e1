import type { Language } from '../calendar/describe-hours.js';
import { REPLY_MARKER } from '../staff/reply-marker.js';
import { ackHoldText, type AckHoldNotice } from './ack-hold-text.js';
import { deadlineText } from './deadline-text.js';

export type NotificationEvent = 'new-ticket' | 'client-message' | 'relay-bounced';

export interface StaffNotificationInput {
  lang: Language;
  event: NotificationEvent;
  /** `[TID#42]`. */
  tag: string;
  ticketSubject: string;
  /** Who wrote (the client); for a bounce, the ticket's requester. */
  from: { address: string; name: string };
  level: { key: string; name: string };
  /** The running deadline, or null while the clock is stopped. */
  deadlineMs: number | null;
  zone: string;
  licence?: { key: string; owner: string } | undefined;
  /** A VIP coupon that was not used: the client's wording of why, and the licence the code belongs to. */
  couponRefused?: { text: string; belongsTo: string } | undefined;
  /** Other participants who receive our answers. */
  cc: readonly string[];
  attachments: readonly { filename: string | undefined; contentType: string; size: number }[];
  /** What the client wrote, quoted text removed. Empty for a bounce. */
  text: string;
  /** Something staff must know before answering, e.g. a failed staff authentication. */
  warning?: string | undefined;
  /** The client got no acknowledgement for this message, and why (seed 4.12: not accepted until they have the TID). */
  ackHeld?: AckHoldNotice | undefined;
  /** For a bounced relay: the addresses that failed, with their status. */
  failed?: readonly { address: string; status: string | null; diagnostic: string | null }[] | undefined;
  /** The support address answers go out from. */
  mailbox: string;
}

const RULE = '-'.repeat(64);

const T = {
  en: {
    'new-ticket': (tag: string, who: string) => `New ticket ${tag} from ${who}`,
    'client-message': (tag: string, who: string) => `New message on ${tag} from ${who}`,
    'relay-bounced': (tag: string) => `A reply on ${tag} could not be delivered`,
    subject: 'Subject',
    level: 'Level',
    due: 'Respond by',
    stopped: 'clock stopped (waiting for the client)',
    licence: 'Licence',
    couponOf: (key: string) => `(the coupon belongs to licence ${key})`,
    cc: 'Cc',
    attachments: 'Attachments',
    failed: 'Failed recipients',
    howTo: (mailbox: string) => `Reply to this mail to answer the client; the answer goes out from ${mailbox}, never from your address.`,
    bounceHowTo: 'The failure is recorded on the ticket. Check the address with the client by another way, or close the ticket.',
    commands: 'Commands on the first lines of your reply: #note (internal, not sent), #close, #level <key>, #assign <staff>, #pending.',
    ackHeld: (why: string) =>
      `Acknowledgement held back, the client has no ticket number for this message: ${why}. If it is a real request, answer it (the answer carries the TID).`,
  },
  ru: {
    'new-ticket': (tag: string, who: string) => `Новое обращение ${tag} от ${who}`,
    'client-message': (tag: string, who: string) => `Новое письмо в ${tag} от ${who}`,
    'relay-bounced': (tag: string) => `Ответ в ${tag} не доставлен`,
    subject: 'Тема',
    level: 'Уровень',
    due: 'Ответить до',
    stopped: 'срок остановлен (ждём клиента)',
    licence: 'Лицензия',
    couponOf: (key: string) => `(купон лицензии ${key})`,
    cc: 'Копия',
    attachments: 'Вложения',
    failed: 'Не доставлено',
    howTo: (mailbox: string) => `Ответьте на это письмо, чтобы ответить клиенту; ответ уйдёт с адреса ${mailbox}, не с вашего.`,
    bounceHowTo: 'Ошибка записана в обращение. Уточните адрес у клиента другим способом или закройте обращение.',
    commands: 'Команды в первых строках ответа: #note (внутренняя заметка, не отправляется), #close, #level <ключ>, #assign <сотрудник>, #pending.',
    ackHeld: (why: string) =>
      `Подтверждение задержано, у клиента нет номера обращения для этого письма: ${why}. Если это настоящий запрос, ответьте на него (ответ придёт с номером).`,
  },
} as const;

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The mail staff get for a new ticket, a new client message, or a relay that bounced. It starts
 * with the reply marker so the relay can cut the quoted notification off a staff answer; the
 * client's words come last, between rules, so what staff answer to is easy to find.
 */
export function renderStaffNotification(n: StaffNotificationInput): string {
  const t = T[n.lang];
  const who = n.from.name ? `${n.from.name} <${n.from.address}>` : n.from.address;
  const lines: string[] = [REPLY_MARKER[n.lang], ''];
  lines.push(n.event === 'relay-bounced' ? t['relay-bounced'](n.tag) : t[n.event](n.tag, who));
  const alerts = [n.warning, n.ackHeld && t.ackHeld(ackHoldText(n.lang, n.ackHeld))].filter((a): a is string => !!a);
  if (alerts.length) lines.push('', ...alerts.map((a) => `!! ${a}`), '');
  lines.push(`${t.subject}: ${n.ticketSubject}`);
  lines.push(`${t.level}: ${n.level.name} (${n.level.key})`);
  lines.push(`${t.due}: ${n.deadlineMs === null ? t.stopped : deadlineText(n.deadlineMs, n.zone, n.lang)}`);
  if (n.licence) lines.push(`${t.licence}: ${n.licence.key}, ${n.licence.owner}`);
  if (n.couponRefused) {
    const other = n.couponRefused.belongsTo !== n.licence?.key ? ` ${t.couponOf(n.couponRefused.belongsTo)}` : '';
    lines.push(`${n.couponRefused.text}${other}`);
  }
  if (n.cc.length) lines.push(`${t.cc}: ${n.cc.join(', ')}`);
  if (n.failed?.length) {
    lines.push(`${t.failed}:`);
    for (const f of n.failed) lines.push(`  - ${f.address}${f.status ? ` (${f.status})` : ''}${f.diagnostic ? `: ${f.diagnostic}` : ''}`);
  }
  if (n.attachments.length) {
    lines.push(`${t.attachments}: ${n.attachments.length}`);
    for (const a of n.attachments) lines.push(`  - ${a.filename ?? '(no name)'} (${a.contentType}, ${sizeText(a.size)})`);
  }
  if (n.event === 'relay-bounced') {
    lines.push('', t.bounceHowTo);
  } else {
    lines.push('', RULE, n.text.trim(), RULE, '', t.howTo(n.mailbox), t.commands);
  }
  return `${lines.join('\n')}\n`;
}

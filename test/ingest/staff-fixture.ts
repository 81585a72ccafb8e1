import type { OutboundMail } from '../../src/outbox/outbound-mail.js';
import { BASE_FILES } from '../config/config-fixture.js';
import { mail, openDesk, type Desk, type MailSpec } from './ingest-fixture.js';

/** Two agents and a supervisor; staff mail must carry our mail server's Authentication-Results. */
export const STAFF_YAML = `staff:
  require_auth: true
  authserv_id: mx.desk.example
  members:
    - { key: eve, name: Eve Agent, email: eve@desk.example, roles: [agent] }
    - { key: kim, name: Kim Agent, email: kim@desk.example, roles: [agent] }
    - { key: sam, name: Sam Supervisor, email: sam@desk.example, roles: [supervisor] }
`;

/** The fixture levels plus a 14-calendar-day development level that staff move tickets to. */
export const LEVELS_YAML = BASE_FILES['levels.yaml']!.replace(
  'rules:',
  `  development:
    name: { en: Development }
    response: 14d
    clock: calendar-days
    calendar: berlin
rules:`,
);

export const PASS = 'mx.desk.example; dkim=pass header.d=desk.example header.s=s1; spf=pass smtp.mailfrom=eve@desk.example';

export function openStaffDesk(extra: Record<string, string | null> = {}, startIso?: string): Desk {
  return openDesk({ 'staff.yaml': STAFF_YAML, 'levels.yaml': LEVELS_YAML, ...extra }, startIso);
}

/** A staff member's mail as our MX delivers it: its Authentication-Results on top. */
export function staffMail(spec: MailSpec & { authResults?: string | null } = {}): string {
  const { authResults = PASS, ...rest } = spec;
  const headers = { ...(authResults === null ? {} : { 'Authentication-Results': authResults }), ...(rest.headers ?? {}) };
  const raw = mail({ from: 'Eve Agent <eve@desk.example>', ...rest, headers });
  // Authentication-Results goes first, above From, where the receiving server puts it.
  if (authResults === null) return raw;
  const lines = raw.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Authentication-Results:'));
  const [ar] = lines.splice(at, 1);
  return [ar, ...lines].join('\n');
}

export interface OutboxRow {
  id: number;
  ticketId: number | null;
  kind: string;
  messageId: string;
  recipients: string[];
  mail: OutboundMail;
}

export function outbox(d: Desk, kind?: string): OutboxRow[] {
  const rows = d.repos.db
    .prepare<[], { id: number; ticket_id: number | null; kind: string; message_id: string; recipients: string; mail: string }>('SELECT id, ticket_id, kind, message_id, recipients, mail FROM outbox ORDER BY id')
    .all();
  return rows
    .filter((r) => kind === undefined || r.kind === kind)
    .map((r) => ({ id: r.id, ticketId: r.ticket_id, kind: r.kind, messageId: r.message_id, recipients: JSON.parse(r.recipients) as string[], mail: JSON.parse(r.mail) as OutboundMail }));
}

export function eventTypes(d: Desk, tid: number): string[] {
  return d.repos.events.listByTicket(tid).map((e) => e.type);
}

/** A client ticket and the notification staff got for it. */
export async function clientTicket(d: Desk, spec: MailSpec = {}): Promise<{ tid: number; notification: OutboxRow; clientMessageId: string }> {
  const clientMessageId = spec.messageId ?? `c${Math.random().toString(36).slice(2)}@client.example`;
  const out = await d.ingest(mail({ ...spec, messageId: clientMessageId }));
  const tid = out.ticketId!;
  const notification = outbox(d, 'notification').filter((r) => r.ticketId === tid).at(-1)!;
  return { tid, notification, clientMessageId };
}

/** A multipart/mixed mail: the text part and one attachment (base64). */
export function withAttachment(raw: string, file: { name: string; type: string; content: Buffer; disposition?: 'attachment' | 'inline' }): string {
  const [head, ...bodyParts] = raw.split('\n\n');
  const body = bodyParts.join('\n\n');
  const headLines = head!.split('\n').filter((l) => !/^Content-Type:/i.test(l));
  return [
    ...headLines,
    'Content-Type: multipart/mixed; boundary="XYZ"',
    '',
    '--XYZ',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '--XYZ',
    `Content-Type: ${file.type}; name="${file.name}"`,
    `Content-Disposition: ${file.disposition ?? 'attachment'}; filename="${file.name}"`,
    'Content-Transfer-Encoding: base64',
    ...(file.disposition === 'inline' ? ['Content-ID: <logo@x>'] : []),
    '',
    file.content.toString('base64'),
    '--XYZ--',
    '',
  ].join('\n');
}

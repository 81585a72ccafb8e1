import { describe, expect, it } from 'vitest';
import { renderStaffNotification, type StaffNotificationInput } from '../../../src/core/templates/staff-notification.js';

const base: StaffNotificationInput = {
  lang: 'en',
  event: 'new-ticket',
  tag: '[TID#9]',
  ticketSubject: 'Nightly export failed',
  from: { address: 'cron@client.example', name: '' },
  level: { key: 'non-commercial', name: 'Non-commercial' },
  deadlineMs: null,
  zone: 'Europe/Berlin',
  cc: [],
  attachments: [],
  text: 'Export job failed.',
  mailbox: 'support@desk.example',
};

describe('staff notification: a held acknowledgement', () => {
  it('is stated under the heading, after a warning, with its reason', () => {
    const text = renderStaffNotification({ ...base, warning: 'The From address claims to be staff but failed authentication.', ackHeld: { reason: 'flood', limit: 50 } });
    const lines = text.split('\n');
    const at = lines.indexOf('New ticket [TID#9] from cron@client.example');
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '',
      '!! The From address claims to be staff but failed authentication.',
      '!! Acknowledgement held back, the client has no ticket number for this message: this sender already got 50 acknowledgements within the hour (limits.acks_per_sender_per_hour). If it is a real request, answer it (the answer carries the TID).',
      '',
    ]);
  });

  it('is told in Russian to a Russian-speaking desk, and not at all when the acknowledgement went out', () => {
    expect(renderStaffNotification({ ...base, lang: 'ru', ackHeld: { reason: 'repeat', limit: 1 } })).toContain(
      '!! Подтверждение задержано, у клиента нет номера обращения для этого письма: тот же запрос (тема и текст) от этого отправителя уже подтверждён в течение часа',
    );
    expect(renderStaffNotification(base)).not.toContain('!!');
  });
});

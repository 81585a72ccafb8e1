import { describe, expect, it } from 'vitest';
import { domainMatches, isParticipant } from '../../../src/core/mail/participant-match.js';
import { decideThread, type ThreadInput, type TicketCandidate } from '../../../src/core/mail/thread.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 15, 10, 0, 0);

const open5: TicketCandidate = {
  id: 5,
  status: 'awaiting-staff',
  participants: ['ann@client.example', 'Carl@Client.Example'],
  licenceAddresses: ['boss@client.example'],
  licenceDomains: ['partner.example', '*.client-group.example'],
};
const open9: TicketCandidate = { id: 9, status: 'awaiting-client', participants: ['zoe@other.example'] };
const closed = (closedAt: number | null | undefined): TicketCandidate => ({ ...open5, status: 'closed', closedAt });

const input = (over: Partial<ThreadInput>): ThreadInput => ({
  subjectTid: undefined,
  referenceTid: undefined,
  sender: 'ann@client.example',
  senderIsStaff: false,
  tickets: [],
  reopenDays: 14,
  nowMs: NOW,
  ...over,
});

describe('decideThread', () => {
  it.each<[string, Partial<ThreadInput>, ReturnType<typeof decideThread>]>([
    ['no TID anywhere', {}, { action: 'new', reason: 'no-tid' }],
    ['subject TID of no known ticket', { subjectTid: 77 }, { action: 'new', reason: 'unknown-ticket' }],
    ['verified reference to a ticket that is gone', { referenceTid: 77 }, { action: 'new', reason: 'unknown-ticket' }],
    ['requester replies with the tag', { subjectTid: 5, tickets: [open5] }, { action: 'append', ticketId: 5, via: 'subject' }],
    ['requester replies without the tag, by reference', { referenceTid: 5, tickets: [open5] }, { action: 'append', ticketId: 5, via: 'reference' }],
    ['CC participant, matched case-insensitively', { subjectTid: 5, sender: 'CARL@client.example', tickets: [open5] }, { action: 'append', ticketId: 5, via: 'subject' }],
    ['licence address', { subjectTid: 5, sender: 'boss@client.example', tickets: [open5] }, { action: 'append', ticketId: 5, via: 'subject' }],
    ['licence domain', { subjectTid: 5, sender: 'dan@Partner.Example', tickets: [open5] }, { action: 'append', ticketId: 5, via: 'subject' }],
    ['licence wildcard subdomain', { subjectTid: 5, sender: 'eve@eu.client-group.example', tickets: [open5] }, { action: 'append', ticketId: 5, via: 'subject' }],
    ['staff, not a participant', { subjectTid: 5, sender: 'agent@desk.example', senderIsStaff: true, tickets: [open5] }, { action: 'append', ticketId: 5, via: 'subject' }],
    ['stranger quoting the TID', { subjectTid: 5, sender: 'mallory@evil.example', tickets: [open5] }, { action: 'new', reason: 'foreign-sender', linkedTicketId: 5 }],
    ['stranger with a forwarded signed reference', { referenceTid: 5, sender: 'mallory@evil.example', tickets: [open5] }, { action: 'new', reason: 'foreign-sender', linkedTicketId: 5 }],
    ['no sender at all', { subjectTid: 5, sender: undefined, tickets: [open5] }, { action: 'new', reason: 'foreign-sender', linkedTicketId: 5 }],
    ['the wildcard does not cover the bare domain', { subjectTid: 5, sender: 'x@client-group.example', tickets: [open5] }, { action: 'new', reason: 'foreign-sender', linkedTicketId: 5 }],
    ['a domain does not cover its subdomains', { subjectTid: 5, sender: 'x@mail.partner.example', tickets: [open5] }, { action: 'new', reason: 'foreign-sender', linkedTicketId: 5 }],
    ['reference and tag disagree: the signed reference wins', { subjectTid: 9, referenceTid: 5, tickets: [open5, open9] }, { action: 'append', ticketId: 5, via: 'reference' }],
    ['reference to a vanished ticket falls back to the tag', { subjectTid: 5, referenceTid: 77, tickets: [open5] }, { action: 'append', ticketId: 5, via: 'subject' }],
    ['closed yesterday: reopen', { subjectTid: 5, tickets: [closed(NOW - DAY)] }, { action: 'reopen', ticketId: 5, via: 'subject' }],
    ['closed just under reopenDays ago: reopen', { subjectTid: 5, tickets: [closed(NOW - 14 * DAY + 1)] }, { action: 'reopen', ticketId: 5, via: 'subject' }],
    ['closed exactly reopenDays ago: new, linked', { subjectTid: 5, tickets: [closed(NOW - 14 * DAY)] }, { action: 'new', reason: 'closed-too-long', linkedTicketId: 5 }],
    ['closed long ago: new, linked', { referenceTid: 5, tickets: [closed(NOW - 90 * DAY)] }, { action: 'new', reason: 'closed-too-long', linkedTicketId: 5 }],
    ['closed "in the future" (clock skew): reopen', { subjectTid: 5, tickets: [closed(NOW + DAY)] }, { action: 'reopen', ticketId: 5, via: 'subject' }],
    ['reopenDays 0 never reopens', { subjectTid: 5, reopenDays: 0, tickets: [closed(NOW)] }, { action: 'new', reason: 'closed-too-long', linkedTicketId: 5 }],
    ['closed without a close time: new, linked', { subjectTid: 5, tickets: [closed(null)] }, { action: 'new', reason: 'closed-too-long', linkedTicketId: 5 }],
    ['stranger on a closed ticket: foreign first', { subjectTid: 5, sender: 'mallory@evil.example', tickets: [closed(NOW - DAY)] }, { action: 'new', reason: 'foreign-sender', linkedTicketId: 5 }],
    ['staff on a long-closed ticket: appended, not reopened', { subjectTid: 5, senderIsStaff: true, sender: 'agent@desk.example', tickets: [closed(NOW - 90 * DAY)] }, { action: 'append', ticketId: 5, via: 'subject' }],
  ])('%s', (_, over, expected) => expect(decideThread(input(over))).toEqual(expected));

  it('a reopen window counts 24-hour days, whatever DST does in between', () => {
    // 2026-03-29 is the EU spring-forward day; 1 day of 24 h after 28 Mar 12:00Z is 29 Mar 12:00Z either way.
    const closedAt = Date.UTC(2026, 2, 28, 12);
    const base = { subjectTid: 5, reopenDays: 1, tickets: [closed(closedAt)] };
    expect(decideThread(input({ ...base, nowMs: closedAt + DAY - 1 })).action).toBe('reopen');
    expect(decideThread(input({ ...base, nowMs: closedAt + DAY })).action).toBe('new');
  });
});

describe('participant matching', () => {
  it.each<[string, string, boolean]>([
    ['client.example', 'client.example', true],
    ['Client.Example', '@client.example', true],
    ['client.example.', 'client.example', true],
    ['mail.client.example', 'client.example', false],
    ['mail.client.example', '*.client.example', true],
    ['client.example', '*.client.example', false],
    ['evilclient.example', '*.client.example', false],
    ['', 'client.example', false],
    ['client.example', '*.', false],
  ])('%j against %j: %s', (domain, pattern, expected) => expect(domainMatches(domain, pattern)).toBe(expected));

  it('needs an address with a domain', () => {
    expect(isParticipant('', { participants: [''] })).toBe(false);
    expect(isParticipant('mailer-daemon', { participants: ['mailer-daemon'] })).toBe(false);
  });
});

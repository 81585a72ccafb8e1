import { DateTime } from 'luxon';
import type { SelectionLicence, SelectionOptions, SelectionRule } from '../../../src/core/selection/selection-options.js';

/**
 * A profile mixing the seeds: 001's VIP coupons, 002's urgent levels and Enterprise VIP, 003's
 * licence number in the message (two licences list no addresses). Counted in Moscow time so the
 * end-of-year and end-of-support edges differ from UTC.
 */
export const LEVELS = [
  'vip',
  'partner-urgent',
  'partner',
  'enterprise-vip',
  'commercial-urgent',
  'commercial',
  'non-commercial',
  'non-product',
] as const;

export const LICENCES: SelectionLicence[] = [
  {
    key: 'BX-1001',
    type: 'commercial',
    edition: 'Premium',
    owner: 'ACME Ltd',
    support_until: '2027-06-30',
    emails: ['ann@client.example', 'ivan@пример.рф'],
    domains: [],
    vip_coupons: { per_year: 3, codes: ['VIP-AAAA-0001', 'VIP-AAAA-0002', 'VIP-AAAA-0003'] },
  },
  { key: 'BX-2002', type: 'partner', edition: 'self-hosted', owner: 'Partner GmbH', support_until: '2027-06-30', emails: [], domains: ['partner.example'] },
  {
    key: 'BX-3003',
    type: 'commercial',
    edition: 'Ultimate',
    owner: 'Gamma',
    support_until: '2024-12-31',
    emails: [],
    domains: ['*.gamma.example'],
    vip_coupons: { per_year: 5, codes: ['VIP-GGGG-0001'] },
  },
  {
    key: 'BX-4004',
    type: 'commercial',
    edition: 'Enterprise',
    owner: 'Delta',
    support_until: '2026-12-31',
    emails: ['boss@delta.example'],
    domains: ['*.delta.example'],
  },
  { key: 'BX-5005', type: 'nfr', edition: 'self-hosted', owner: 'Echo', support_until: '2027-01-01', emails: ['e@echo.example'], domains: [] },
  { key: 'BX-7007', type: 'commercial', edition: 'cloud', owner: 'Bearer Co', support_until: '2027-06-30', emails: [], domains: [] },
  { key: 'BX-8008', type: 'commercial', edition: 'cloud', owner: 'Lapsed Co', support_until: '2025-01-31', emails: [], domains: [] },
];

export const RULES: SelectionRule[] = [
  { when: { coupon: 'vip' }, level: 'vip' },
  { when: { 'licence.type': 'partner', 'licence.status': 'active', urgent: true }, level: 'partner-urgent' },
  { when: { 'licence.type': 'partner', 'licence.status': 'active' }, level: 'partner' },
  { when: { 'licence.edition': 'enterprise', 'licence.status': 'active' }, level: 'enterprise-vip' },
  { when: { 'licence.type': 'commercial', 'licence.status': 'active', urgent: true }, level: 'commercial-urgent' },
  { when: { 'licence.type': ['commercial'], 'licence.status': 'active' }, level: 'commercial', reason: 'Commercial licence' },
  { when: { 'licence.status': ['expired', 'none'] }, level: 'non-commercial' },
];

export const OPTIONS: SelectionOptions = {
  licences: LICENCES,
  rules: RULES,
  selection: { fallback_level: 'non-commercial', licence_from_message: false, urgent_marker: 'СРОЧНО', vip_coupons: true },
  levels: LEVELS,
  zone: 'Europe/Moscow',
};

export function withSelection(patch: Partial<SelectionOptions['selection']>, rest: Partial<SelectionOptions> = {}): SelectionOptions {
  return { ...OPTIONS, ...rest, selection: { ...OPTIONS.selection, ...patch } };
}

/** Epoch ms of an ISO instant with offset; a typo fails loudly instead of giving NaN. */
export function at(iso: string): number {
  const ms = DateTime.fromISO(iso, { setZone: true }).toMillis();
  if (!Number.isFinite(ms)) throw new Error(`bad ISO literal in test: ${iso}`);
  return ms;
}

/** A Wednesday working hour in 2026, well inside every active licence. */
export const NOON = at('2026-06-17T12:00:00+03:00');

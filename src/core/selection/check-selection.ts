import type { ErrorCode } from '../../errors.js';
import { dayNumberOfIsoDate } from '../calendar/local-date.js';
import { assertZone } from './local-day.js';
import { checkRuleValues } from './rule-conditions.js';
import type { SelectionOptions } from './selection-options.js';
import { normalizeDomain, tryNormalizeAddress } from './sender-address.js';

export interface SelectionIssue {
  /** Where in the config, in the YAML's own terms (['rules', 2, 'level']); the zone is ['zone']. */
  path: (string | number)[];
  message: string;
  code: ErrorCode;
}

/**
 * Everything that would make selection answer wrongly rather than fail: a rule naming a missing
 * level, a condition value no request can have, a support_until that does not compare as a date.
 * Config validation can call this to report them with file:line; compileSelection refuses them.
 */
export function checkSelectionOptions(o: SelectionOptions): SelectionIssue[] {
  const out: SelectionIssue[] = [];
  try {
    assertZone(o.zone);
  } catch (err) {
    out.push({ path: ['zone'], message: (err as Error).message, code: 'E_ZONE_INVALID' });
  }
  const levels = new Set(o.levels);
  o.rules.forEach((rule, i) => {
    if (!levels.has(rule.level)) out.push({ path: ['rules', i, 'level'], message: `unknown level "${rule.level}"`, code: 'E_LEVEL_UNKNOWN' });
    for (const p of checkRuleValues(rule)) {
      out.push({ path: p.key ? ['rules', i, 'when', p.key] : ['rules', i], message: p.message, code: 'E_CONFIG_INVALID' });
    }
  });
  const s = o.selection;
  if (!levels.has(s.fallback_level)) {
    out.push({ path: ['selection', 'fallback_level'], message: `unknown level "${s.fallback_level}"`, code: 'E_LEVEL_UNKNOWN' });
  }
  if (s.urgent_marker !== undefined && s.urgent_marker.trim() === '') {
    out.push({ path: ['selection', 'urgent_marker'], message: 'the urgent marker cannot be blank', code: 'E_CONFIG_INVALID' });
  }
  o.licences.forEach((lic, i) => {
    if (dayNumberOfIsoDate(lic.support_until) === undefined) {
      out.push({ path: ['licences', i, 'support_until'], message: `not a calendar date: ${lic.support_until}`, code: 'E_CONFIG_INVALID' });
    }
    lic.emails.forEach((e, j) => {
      if (tryNormalizeAddress(e) === undefined) out.push({ path: ['licences', i, 'emails', j], message: `not an e-mail address: ${e}`, code: 'E_ADDRESS_INVALID' });
    });
    lic.domains.forEach((d, j) => {
      if (normalizeDomain(d.startsWith('*.') ? d.slice(2) : d) === undefined) {
        out.push({ path: ['licences', i, 'domains', j], message: `not a domain (example.com or *.example.com): ${d}`, code: 'E_CONFIG_INVALID' });
      }
    });
    const vip = lic.vip_coupons;
    if (vip && (!Number.isInteger(vip.per_year) || vip.per_year < 0)) {
      out.push({ path: ['licences', i, 'vip_coupons', 'per_year'], message: 'per_year is a whole number, 0 or more', code: 'E_CONFIG_INVALID' });
    }
    vip?.codes.forEach((c, j) => {
      if (c.trim() === '') out.push({ path: ['licences', i, 'vip_coupons', 'codes', j], message: 'a coupon code cannot be blank', code: 'E_CONFIG_INVALID' });
    });
  });
  return out;
}

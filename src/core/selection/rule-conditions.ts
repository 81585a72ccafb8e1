import type { RuleKey, RuleValue, SelectionRule } from './selection-options.js';
import type { LicenceStatus } from './selection-result.js';

/** What the rules can look at, established before any rule is tried. */
export interface RuleFacts {
  licence: { type: string; edition: string } | undefined;
  status: LicenceStatus;
  /** A VIP coupon of the sender's own, active licence, within quota and unused, is in the message. */
  couponApplies: boolean;
  urgent: boolean;
}

const STATUS_VALUES = new Set(['active', 'expired', 'none']);
const COUPON_VALUES = new Set(['vip', 'none']);

function values(v: RuleValue): string[] {
  return (typeof v === 'string' ? [v] : Array.isArray(v) ? [...(v as readonly string[])] : []).map((s) => s.trim().toLowerCase());
}

// Editions are free text ("Premium" in a licence, "premium" in a rule): compare without case.
function oneOf(actual: string, v: RuleValue): boolean {
  return values(v).includes(actual.trim().toLowerCase());
}

/**
 * One condition. Arrays mean "any of". On licence.type / licence.edition a boolean asks whether
 * there is a licence at all. `coupon: vip` (or true) holds when a valid coupon applies, `coupon:
 * none` (or false) when none does. Values outside these never match; checkRuleValues reports them
 * so a typo fails config validation instead of quietly routing mail to the fallback.
 */
function conditionHolds(key: RuleKey, v: RuleValue, f: RuleFacts): boolean {
  switch (key) {
    case 'licence.type':
      return typeof v === 'boolean' ? v === (f.licence !== undefined) : f.licence !== undefined && oneOf(f.licence.type, v);
    case 'licence.edition':
      return typeof v === 'boolean' ? v === (f.licence !== undefined) : f.licence !== undefined && oneOf(f.licence.edition, v);
    case 'licence.status':
      return typeof v === 'boolean' ? v === (f.status !== 'none') : oneOf(f.status, v);
    case 'coupon':
      return typeof v === 'boolean' ? v === f.couponApplies : oneOf(f.couponApplies ? 'vip' : 'none', v);
    case 'urgent':
      return typeof v === 'boolean' && v === f.urgent;
    default:
      return false;
  }
}

/** `otherwise: true` always matches; otherwise every `when` condition must hold. A rule with neither never matches. */
export function ruleMatches(rule: SelectionRule, f: RuleFacts): boolean {
  if (rule.otherwise === true) return true;
  if (!rule.when) return false;
  return (Object.entries(rule.when) as [RuleKey, RuleValue | undefined][]).every(([k, v]) => v === undefined || conditionHolds(k, v, f));
}

export function firstMatchingRule(rules: readonly SelectionRule[], f: RuleFacts): number | undefined {
  const i = rules.findIndex((r) => ruleMatches(r, f));
  return i < 0 ? undefined : i;
}

/** Values a condition can never sensibly have; each message names the accepted ones. */
export function checkRuleValues(rule: SelectionRule): { key: RuleKey | undefined; message: string }[] {
  const out: { key: RuleKey | undefined; message: string }[] = [];
  if (rule.otherwise === true && rule.when) out.push({ key: undefined, message: 'a rule has either "when" or "otherwise: true", not both' });
  if (rule.otherwise !== true && !rule.when) out.push({ key: undefined, message: 'a rule needs "when" or "otherwise: true"' });
  for (const [k, v] of Object.entries(rule.when ?? {}) as [string, RuleValue | undefined][]) {
    if (v === undefined) continue;
    const key = k as RuleKey;
    switch (key) {
      case 'licence.type':
      case 'licence.edition':
        if (typeof v !== 'boolean' && values(v).some((s) => s === '')) out.push({ key, message: `${key} cannot be empty` });
        break;
      case 'licence.status': {
        const bad = typeof v === 'boolean' ? [] : values(v).filter((s) => !STATUS_VALUES.has(s));
        if (bad.length) out.push({ key, message: `licence.status is active, expired or none, not ${bad.map((s) => `"${s}"`).join(', ')}` });
        break;
      }
      case 'coupon': {
        const bad = typeof v === 'boolean' ? [] : values(v).filter((s) => !COUPON_VALUES.has(s));
        if (bad.length) out.push({ key, message: `coupon is vip or none (or true/false), not ${bad.map((s) => `"${s}"`).join(', ')}` });
        break;
      }
      case 'urgent':
        if (typeof v !== 'boolean') out.push({ key, message: 'urgent is true or false' });
        break;
      default:
        out.push({ key: undefined, message: `unknown condition "${k}"` });
    }
  }
  return out;
}

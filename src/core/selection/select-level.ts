import { TidingsError } from '../../errors.js';
import { checkSelectionOptions } from './check-selection.js';
import { buildLicenceIndex, type LicenceIndex } from './licence-index.js';
import { localDay, supportStatus } from './local-day.js';
import { compileTokenFinder, findInMessage, type TokenFinder } from './quoted-tokens.js';
import { couponRejectionText, reasonText } from './reason-text.js';
import { firstMatchingRule, type RuleFacts } from './rule-conditions.js';
import type { SelectionInput } from './selection-input.js';
import type { SelectionLicence, SelectionOptions, SelectionRule } from './selection-options.js';
import type { AppliedCoupon, LevelSelection, LicenceMatch, ReasonCode, RejectedCoupon, SelectedLicence } from './selection-result.js';
import { normalizeAddress } from './sender-address.js';
import { compileCouponFinder, judgeCoupons, type CouponFinder } from './vip-coupon.js';

export interface LevelSelector {
  select(input: SelectionInput): LevelSelection;
}

/** Reasons that mean "less than a valid licence would give": the acknowledgement must explain them (4.9). */
const TELL_CLIENT: ReadonlySet<ReasonCode> = new Set(['no-licence', 'address-not-in-licence', 'support-expired', 'no-rule']);

interface Compiled {
  rules: readonly SelectionRule[];
  fallback: string;
  zone: string;
  urgentMarker: string | undefined;
  licenceFromMessage: boolean;
  index: LicenceIndex;
  licenceByKey: ReadonlyMap<string, SelectionLicence>;
  keyFinder: TokenFinder | undefined;
  couponFinder: CouponFinder | undefined;
  urgentFinder: TokenFinder | undefined;
}

/**
 * Seed 003 4.2.5 asks for the licence (coupon) number in the request; seed 4.9 gives a commercial
 * level only to a licensed address. Both hold if a quoted number identifies only a licence that
 * lists no addresses and no domains: for such a licence the admin has made the number itself the
 * credential (the 003 model), while a licence that lists addresses keeps 4.9's promise that no one
 * else gets its level by copying a number off an invoice. A number quoted from an unlisted address
 * is reported (`quotedLicence.accepted: false`, reason address-not-in-licence) but not honoured.
 * When the sender's address already matches a licence, the address wins over any quoted number.
 */
function identifiedByNumber(lic: SelectionLicence): boolean {
  return lic.emails.length === 0 && lic.domains.length === 0;
}

function identify(
  c: Compiled,
  sender: string,
  input: SelectionInput,
): { licence: SelectionLicence | undefined; by: LicenceMatch | undefined; quoted: LevelSelection['quotedLicence'] } {
  const byAddress = c.index.byAddress(sender);
  const keys = c.keyFinder ? findInMessage(c.keyFinder, input.subject, input.body) : [];
  if (byAddress) {
    const own = keys.includes(byAddress.licence.key);
    const quoted = keys[0] === undefined ? undefined : { key: own ? byAddress.licence.key : keys[0], accepted: own };
    return { licence: byAddress.licence, by: byAddress.by, quoted };
  }
  const bearer = keys.map((k) => c.licenceByKey.get(k)).find((l) => l !== undefined && identifiedByNumber(l));
  if (bearer) return { licence: bearer, by: 'message', quoted: { key: bearer.key, accepted: true } };
  return { licence: undefined, by: undefined, quoted: keys[0] === undefined ? undefined : { key: keys[0], accepted: false } };
}

function levelOf(c: Compiled, rule: number | undefined): string {
  return rule === undefined ? c.fallback : c.rules[rule]!.level;
}

function select(c: Compiled, input: SelectionInput): LevelSelection {
  const sender = normalizeAddress(input.from);
  const day = localDay(input.at, c.zone);
  const { licence, by, quoted } = identify(c, sender, input);
  const status = licence ? supportStatus(licence.support_until, day.date) : 'none';
  const selected: SelectedLicence | undefined =
    licence && by && status !== 'none'
      ? { key: licence.key, type: licence.type, edition: licence.edition, owner: licence.owner, status, supportUntil: licence.support_until, matchedBy: by }
      : undefined;
  const urgent = c.urgentFinder ? c.urgentFinder(input.subject ?? '').length > 0 : false;
  const verdict = c.couponFinder ? judgeCoupons(c.couponFinder(input.subject, input.body), { licence, status }, day.year, input) : undefined;

  const facts: RuleFacts = { licence: licence && { type: licence.type, edition: licence.edition }, status, couponApplies: verdict?.ok === true, urgent };
  let rule = firstMatchingRule(c.rules, facts);
  let coupon: AppliedCoupon | undefined;
  let rejection: Omit<RejectedCoupon, 'text'> | undefined;
  if (verdict?.ok) {
    // A coupon is spent only when it changes the level: a partner whose own rule already gives the
    // same answer keeps it. Compared by level, not rule, because two rules may name one level.
    const without = firstMatchingRule(c.rules, { ...facts, couponApplies: false });
    if (levelOf(c, without) === levelOf(c, rule)) {
      rule = without;
      rejection = { code: verdict.coupon.code, reason: 'not-needed', belongsTo: verdict.coupon.licenceKey };
    } else {
      coupon = verdict.coupon;
    }
  } else if (verdict) {
    rejection = { code: verdict.code, reason: verdict.reason, belongsTo: verdict.belongsTo };
  }
  const level = levelOf(c, rule);
  const effective: RuleFacts = { ...facts, couponApplies: coupon !== undefined };
  const raisedByUrgent = urgent && levelOf(c, firstMatchingRule(c.rules, { ...effective, urgent: false })) !== level;

  let code: ReasonCode;
  if (coupon) code = 'vip-coupon';
  else if (raisedByUrgent) code = 'urgent';
  else if (status === 'none') code = quoted && !quoted.accepted ? 'address-not-in-licence' : 'no-licence';
  else if (status === 'expired') code = 'support-expired';
  // Judged by the level, not by which rule fired: an `otherwise` rule that hands an nfr licence the
  // fallback level needs the same explanation as no rule at all.
  else code = level === c.fallback ? 'no-rule' : 'licence-matched';

  const note = rule === undefined ? undefined : c.rules[rule]!.reason;
  const result: LevelSelection = {
    level,
    rule: rule ?? 'fallback',
    sender,
    licenceStatus: status,
    urgent,
    reason: {
      code,
      text: reasonText(code, {
        sender,
        licence: selected,
        quotedKey: quoted?.key,
        licenceFromMessage: c.licenceFromMessage,
        urgentMarker: c.urgentMarker,
        coupon,
      }),
      tellClient: TELL_CLIENT.has(code),
      ...(note === undefined ? {} : { note }),
    },
  };
  if (selected) result.licence = selected;
  if (quoted) result.quotedLicence = quoted;
  if (coupon) result.coupon = coupon;
  if (rejection) {
    const perYear = licence?.vip_coupons?.per_year ?? 0;
    result.couponRejected = { ...rejection, text: couponRejectionText(rejection.reason, { code: rejection.code, licence: selected, year: day.year, perYear }) };
  }
  return result;
}

/**
 * Prepares selection for one loaded config: address and domain maps, one matcher each for licence
 * numbers, coupon codes and the urgent marker. A config that could make selection answer wrongly
 * is refused here with the first problem's code (E_LEVEL_UNKNOWN for a rule naming no level) and
 * all problems in `details.issues`.
 */
export function compileSelection(options: SelectionOptions): LevelSelector {
  // Iterate once: `levels` may be a one-shot iterator.
  const levels = [...options.levels];
  const issues = checkSelectionOptions({ ...options, levels });
  const first = issues[0];
  if (first) {
    const all = issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TidingsError(first.code, `level selection cannot use this config: ${all}`, { details: { issues } });
  }
  const s = options.selection;
  const licenceByKey = new Map<string, SelectionLicence>();
  for (const lic of options.licences) if (!licenceByKey.has(lic.key)) licenceByKey.set(lic.key, lic);
  const c: Compiled = {
    rules: [...options.rules],
    fallback: s.fallback_level,
    zone: options.zone,
    urgentMarker: s.urgent_marker?.trim(),
    licenceFromMessage: s.licence_from_message,
    index: buildLicenceIndex(options.licences),
    licenceByKey,
    keyFinder: s.licence_from_message ? compileTokenFinder([...licenceByKey.keys()]) : undefined,
    couponFinder: s.vip_coupons ? compileCouponFinder(options.licences) : undefined,
    urgentFinder: s.urgent_marker ? compileTokenFinder([s.urgent_marker.trim()]) : undefined,
  };
  return { select: (input) => select(c, input) };
}

/** One-off selection; compile once with compileSelection when selecting for many messages. */
export function selectLevel(input: SelectionInput, options: SelectionOptions): LevelSelection {
  return compileSelection(options).select(input);
}

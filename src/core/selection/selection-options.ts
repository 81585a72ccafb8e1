/**
 * What level selection needs from the configuration, as plain data. Field names follow the YAML
 * (support_until, vip_coupons.per_year, fallback_level) so the loaded config's `licences`, `rules`
 * and `selection` can be passed as they are, without the pure core depending on the config module.
 */

export type RuleKey = 'licence.type' | 'licence.edition' | 'licence.status' | 'coupon' | 'urgent';
export type RuleValue = string | readonly string[] | boolean;

export interface SelectionRule {
  readonly when?: Readonly<Partial<Record<RuleKey, RuleValue>>> | undefined;
  readonly otherwise?: boolean | undefined;
  readonly level: string;
  /** The admin's own words for this rule; passed through as `reason.note`. */
  readonly reason?: string | undefined;
}

export interface SelectionLicence {
  readonly key: string;
  readonly type: string;
  readonly edition: string;
  readonly owner: string;
  /** Last day of support, YYYY-MM-DD, inclusive, read in the selection zone. */
  readonly support_until: string;
  readonly emails: readonly string[];
  /** `example.com` (that domain only) or `*.example.com` (its subdomains only). */
  readonly domains: readonly string[];
  readonly vip_coupons?: { readonly per_year: number; readonly codes: readonly string[] } | undefined;
}

export interface SelectionSwitches {
  /** Level when no rule matches. */
  readonly fallback_level: string;
  /** Seed 003 4.2.5: a licence number quoted in the message identifies the licence. */
  readonly licence_from_message: boolean;
  /** Seed 002: text in the subject that marks the request urgent. */
  readonly urgent_marker?: string | undefined;
  /** Seed 001: VIP coupon codes quoted in the subject or body. */
  readonly vip_coupons: boolean;
}

export interface SelectionOptions {
  readonly licences: readonly SelectionLicence[];
  /** Ordered; the first matching rule wins. */
  readonly rules: readonly SelectionRule[];
  readonly selection: SelectionSwitches;
  /** Keys of the configured levels, e.g. `Object.keys(config.levels)`. */
  readonly levels: Iterable<string>;
  /**
   * IANA zone in which the arrival instant becomes a date (compared with support_until) and a year
   * (the VIP coupon quota): the support desk's own calendar zone, so "support until 31 December"
   * ends at midnight where the desk works, not in UTC.
   */
  readonly zone: string;
}

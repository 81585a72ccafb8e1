export type LicenceStatus = 'active' | 'expired' | 'none';

/** How the licence was found: listed address, listed domain, `*.domain` pattern, or a number quoted in the message. */
export type LicenceMatch = 'address' | 'domain' | 'subdomain' | 'message';

export type ReasonCode =
  /** An active licence picked the level. */
  | 'licence-matched'
  /** A VIP coupon raised the level; the coupon is to be consumed. */
  | 'vip-coupon'
  /** The urgent marker in the subject raised the level. */
  | 'urgent'
  /** Nothing identifies a licence. */
  | 'no-licence'
  /** The message quotes a licence whose listed addresses do not include the sender. */
  | 'address-not-in-licence'
  /** The licence was found but its support period is over. */
  | 'support-expired'
  /** An active licence, yet only the fallback level (no rule, or a catch-all rule, gives more). */
  | 'no-rule';

export type CouponRejection =
  | 'no-licence'
  | 'other-licence'
  | 'licence-expired'
  | 'already-used'
  | 'quota-exhausted'
  /** The request gets the same level without the coupon, so it is not spent. */
  | 'not-needed';

export interface Localized {
  en: string;
  ru: string;
}

export interface SelectedLicence {
  key: string;
  type: string;
  edition: string;
  owner: string;
  status: 'active' | 'expired';
  supportUntil: string;
  matchedBy: LicenceMatch;
}

export interface AppliedCoupon {
  /** The code as configured, which is what the store records. */
  code: string;
  licenceKey: string;
  /** Calendar year (selection zone) the use counts against. */
  year: number;
  /** Uses this year including this one, so "1 of 3" for the first. */
  usedThisYear: number;
  perYear: number;
}

export interface RejectedCoupon {
  code: string;
  reason: CouponRejection;
  /** Licence the code belongs to, for staff; deliberately absent from `text`, which the client reads. */
  belongsTo: string;
  text: Localized;
}

export interface LevelSelection {
  level: string;
  /** Index of the matching rule, or 'fallback' when none matched. */
  rule: number | 'fallback';
  /** The sender address as matched: lower case, punycode domain. */
  sender: string;
  licenceStatus: LicenceStatus;
  licence?: SelectedLicence;
  /** A licence number found in the message (licence_from_message on), and whether it was honoured. */
  quotedLicence?: { key: string; accepted: boolean };
  urgent: boolean;
  coupon?: AppliedCoupon;
  couponRejected?: RejectedCoupon;
  reason: {
    code: ReasonCode;
    text: Localized;
    /** True when the client gets less than a valid licence would give and the acknowledgement should say why. */
    tellClient: boolean;
    /** The matched rule's `reason` from config, if any. */
    note?: string;
  };
}

/** One incoming request as level selection sees it. */
export interface SelectionInput {
  /** Sender: a bare address `ann@client.example`, or `Ann <ann@client.example>`. */
  from: string;
  /** Arrival instant, epoch ms. */
  at: number;
  subject?: string | undefined;
  /** Plain-text body; pass it without quoted history so an old quote does not count again. */
  body?: string | undefined;
  /**
   * VIP coupons a licence has used in a calendar year (store: countUses). A map is keyed by licence
   * key and holds the counts for the year of `at`. Absent means none used, which is right only for
   * a dry run; the daemon must pass the real counts before consuming a coupon.
   */
  couponUsesThisYear?: ((licenceKey: string, year: number) => number) | ReadonlyMap<string, number> | undefined;
  /**
   * Whether a code was consumed before (store: findUse), asked with the code as configured.
   * A coupon is good for one request (seed 001), so a used code is refused even with quota left.
   */
  couponUsed?: ((code: string) => boolean) | ReadonlySet<string> | undefined;
}

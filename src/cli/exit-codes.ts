/** Process exit codes; stable because scripts and the MTA pipe depend on them. */
export const EXIT = {
  OK: 0,
  /** A check failed or the configuration is invalid. */
  FAILURE: 1,
  /** Bad command-line usage. */
  USAGE: 2,
  /** sysexits EX_TEMPFAIL: the MTA should retry later. */
  TEMPFAIL: 75,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

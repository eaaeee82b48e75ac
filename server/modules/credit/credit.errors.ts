/** Why the credit area refuses a request (merged into the schema's ErrorReason). */
export enum CreditErrorReason {
  /** An override's `until` must lie after today: it is the first day the rules apply again. */
  CREDIT_OVERRIDE_UNTIL_NOT_AFTER_TODAY = 'CREDIT_OVERRIDE_UNTIL_NOT_AFTER_TODAY',
  /** Setting an override needs `until`, the business date the rules apply again. */
  CREDIT_OVERRIDE_UNTIL_REQUIRED = 'CREDIT_OVERRIDE_UNTIL_REQUIRED',
  /** Clearing (status null) takes no `until`. */
  CREDIT_OVERRIDE_UNTIL_NOT_ALLOWED = 'CREDIT_OVERRIDE_UNTIL_NOT_ALLOWED',
  /** An override needs a reason (1 to 1000 characters, not only blanks). */
  CREDIT_OVERRIDE_REASON_REQUIRED = 'CREDIT_OVERRIDE_REASON_REQUIRED',
  /** There is no override in force to clear. */
  NO_CREDIT_OVERRIDE = 'NO_CREDIT_OVERRIDE',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    credit: CreditErrorReason;
  }
}

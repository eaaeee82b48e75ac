/** Why the activities area refuses a request (merged into the schema's ErrorReason). */
export enum ActivityErrorReason {
  /** occurredAt lies more than ACTIVITY_BACKDATE_DAYS days before today. */
  ACTIVITY_TOO_OLD = 'ACTIVITY_TOO_OLD',
  /** nextActionOn is before the day the activity occurred. */
  NEXT_ACTION_BEFORE_ACTIVITY = 'NEXT_ACTION_BEFORE_ACTIVITY',
  /** The outcome needs its details (PROMISED: `promise`), or details were given for another outcome. */
  OUTCOME_DETAILS_MISMATCH = 'OUTCOME_DETAILS_MISMATCH',
  /** This server cannot act on these outcome details yet (e.g. a dispute before disputes exist). */
  OUTCOME_NOT_SUPPORTED = 'OUTCOME_NOT_SUPPORTED',
  /** A receivable belongs to another customer than the activity's. */
  RECEIVABLE_OF_OTHER_CUSTOMER = 'RECEIVABLE_OF_OTHER_CUSTOMER',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    activities: ActivityErrorReason;
  }
}

/** Why the feedback area refuses a request (merged into the schema's ErrorReason). */
export enum FeedbackErrorReason {
  /** A report for this period was already submitted. */
  ALREADY_SUBMITTED = 'ALREADY_SUBMITTED',
  /** Whether a report is anonymous cannot change after submission. */
  ANONYMITY_FIXED = 'ANONYMITY_FIXED',
  /** The amend secret does not match the report. */
  INVALID_AMEND_SECRET = 'INVALID_AMEND_SECRET',
  /** The report is in review and can no longer be amended. */
  REPORT_IN_REVIEW = 'REPORT_IN_REVIEW',
  /** An anonymous report cannot name a customer or receivable. */
  ANONYMOUS_LINK = 'ANONYMOUS_LINK',
  /** The receivable does not belong to the customer named. */
  CUSTOMER_MISMATCH = 'CUSTOMER_MISMATCH',
  /** The item cannot move to that status from its current one. */
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  /** The item is not open. */
  ITEM_NOT_OPEN = 'ITEM_NOT_OPEN',
  /** The item already belongs to a proposal. */
  IN_PROPOSAL = 'IN_PROPOSAL',
  /** The proposal cannot be escalated in its status. */
  NOT_ESCALATABLE = 'NOT_ESCALATABLE',
  /** The item cannot be set to that status by triage. */
  STATUS_NOT_SETTABLE = 'STATUS_NOT_SETTABLE',
  /** The proposal has not been escalated, so it cannot be decided. */
  NOT_ESCALATED = 'NOT_ESCALATED',
  /** A note is required for this step. */
  NOTE_REQUIRED = 'NOTE_REQUIRED',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    feedback: FeedbackErrorReason;
  }
}

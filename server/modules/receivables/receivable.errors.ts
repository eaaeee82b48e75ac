/** Why the receivables area refuses a request (merged into the schema's ErrorReason). */
export enum ReceivableErrorReason {
  /** The customer already has a receivable with this reference. */
  REFERENCE_TAKEN = 'REFERENCE_TAKEN',
  /** The due date lies before the issue date. */
  DUE_BEFORE_ISSUE = 'DUE_BEFORE_ISSUE',
  /** Nothing is outstanding on the receivable. */
  NOTHING_OUTSTANDING = 'NOTHING_OUTSTANDING',
  /** The receivable is already written off. */
  ALREADY_WRITTEN_OFF = 'ALREADY_WRITTEN_OFF',
  /** A credit larger than what is outstanding on the receivable now. */
  CREDIT_EXCEEDS_OUTSTANDING = 'CREDIT_EXCEEDS_OUTSTANDING',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    receivables: ReceivableErrorReason;
  }
}

/** Why the disputes area refuses a request (merged into the schema's ErrorReason). */
export enum DisputeErrorReason {
  /** The disputed amount is more than what is outstanding and not yet disputed on the receivable. */
  DISPUTE_EXCEEDS_OUTSTANDING = 'DISPUTE_EXCEEDS_OUTSTANDING',
  /** The dispute is already resolved: a dispute is resolved once. */
  DISPUTE_ALREADY_RESOLVED = 'DISPUTE_ALREADY_RESOLVED',
  /** A PARTIAL resolution needs an amount above zero and below the disputed amount. */
  PARTIAL_AMOUNT_INVALID = 'PARTIAL_AMOUNT_INVALID',
  /** An amount was given for a VALID or INVALID resolution (only PARTIAL takes one). */
  AMOUNT_ONLY_FOR_PARTIAL = 'AMOUNT_ONLY_FOR_PARTIAL',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    disputes: DisputeErrorReason;
  }
}

/** Why the payments area refuses a request (merged into the schema's ErrorReason). */
export enum PaymentErrorReason {
  /** Booked more than BOOKING_LAG_LIMIT_DAYS working days after receivedOn without a lagReason. */
  LAG_REASON_REQUIRED = 'LAG_REASON_REQUIRED',
  /** The allocations add up to more than the payment. */
  ALLOCATIONS_EXCEED_PAYMENT = 'ALLOCATIONS_EXCEED_PAYMENT',
  /** An allocation is larger than the receivable's outstanding amount. */
  EXCEEDS_OUTSTANDING = 'EXCEEDS_OUTSTANDING',
  /** A receivable belongs to another customer. */
  CUSTOMER_MISMATCH = 'CUSTOMER_MISMATCH',
  /** A receivable is written off. */
  WRITTEN_OFF = 'WRITTEN_OFF',
  /** The payment is already voided. */
  ALREADY_VOIDED = 'ALREADY_VOIDED',
  /** The payment is voided. */
  PAYMENT_VOIDED = 'PAYMENT_VOIDED',
  /** The payment has no unallocated money left. */
  NO_CREDIT = 'NO_CREDIT',
  /** The idempotency key was used for a different payment. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    payments: PaymentErrorReason;
  }
}

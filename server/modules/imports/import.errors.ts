/** Why the imports area refuses a row or a request (merged into the schema's ErrorReason). */
export enum ImportErrorReason {
  /**
   * A row changes what may no longer change: a receivable's amount, issue date, reference
   * or customer once money touched it, anything of a settled receivable, or any field of
   * an imported bank line. Ledger history is never rewritten.
   */
  IMPORT_FIELD_LOCKED = 'IMPORT_FIELD_LOCKED',
  /** A payer account is already known for another customer. */
  PAYER_ACCOUNT_TAKEN = 'PAYER_ACCOUNT_TAKEN',
  /** The row was not applied because another row of an atomic batch failed. */
  BATCH_NOT_APPLIED = 'BATCH_NOT_APPLIED',
  /** The bank line is already booked as a payment. */
  BANK_LINE_APPLIED = 'BANK_LINE_APPLIED',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    imports: ImportErrorReason;
  }
}

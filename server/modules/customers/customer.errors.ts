/** Why the customers area refuses a request (merged into the schema's ErrorReason). */
export enum CustomerErrorReason {
  /** Another customer has this code. */
  CODE_TAKEN = 'CODE_TAKEN',
  /** The owner must be an active SALES user. */
  OWNER_NOT_SALES = 'OWNER_NOT_SALES',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    customers: CustomerErrorReason;
  }
}

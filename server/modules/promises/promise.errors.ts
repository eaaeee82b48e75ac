/** Why the promises area refuses a request (merged into the schema's ErrorReason). */
export enum PromiseErrorReason {
  /** The promised amount is above what is outstanding on the promised receivables. */
  PROMISE_ABOVE_OUTSTANDING = 'PROMISE_ABOVE_OUTSTANDING',
  /** The promised date is before the day the promise was made (today, or the day its activity happened). */
  PROMISE_DATE_IN_PAST = 'PROMISE_DATE_IN_PAST',
  /** The activity already has a promise to pay. */
  PROMISE_ALREADY_RECORDED = 'PROMISE_ALREADY_RECORDED',
  /** A receivable or the activity belongs to another customer than the promise's. */
  PROMISE_OF_OTHER_CUSTOMER = 'PROMISE_OF_OTHER_CUSTOMER',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    promises: PromiseErrorReason;
  }
}

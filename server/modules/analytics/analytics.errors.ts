/** Why the analytics area refuses a request (merged into the schema's ErrorReason). */
export enum AnalyticsErrorReason {
  /** The week has not ended yet. */
  WEEK_NOT_OVER = 'WEEK_NOT_OVER',
  /** The target is not a valid figure for the metric. */
  INVALID_TARGET = 'INVALID_TARGET',
  /** The target lies outside what the metric can reach. */
  TARGET_OUT_OF_RANGE = 'TARGET_OUT_OF_RANGE',
  /** The weight is not a positive number with at most two decimals. */
  INVALID_WEIGHT = 'INVALID_WEIGHT',
  /** A SALESPERSON-scoped goal needs a salesperson. */
  SALESPERSON_REQUIRED = 'SALESPERSON_REQUIRED',
  /** Only a SALESPERSON-scoped goal names a salesperson. */
  SALESPERSON_NOT_ALLOWED = 'SALESPERSON_NOT_ALLOWED',
  /** The user named is not a salesperson. */
  NOT_A_SALESPERSON = 'NOT_A_SALESPERSON',
  /** The goal is archived. */
  GOAL_ARCHIVED = 'GOAL_ARCHIVED',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    analytics: AnalyticsErrorReason;
  }
}

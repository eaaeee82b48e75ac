/** Why the overdue engine refuses a request (merged into the schema's ErrorReason). */
export enum OverdueErrorReason {
  /** The date is before the last overdue scan's: alarms move forward with the business date (`extensions.lastScanOn`). */
  SCAN_DATE_BEFORE_LAST_SCAN = 'SCAN_DATE_BEFORE_LAST_SCAN',
  /** There is no alarm state yet: no overdue scan has run. */
  NO_SCAN_YET = 'NO_SCAN_YET',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    overdue: OverdueErrorReason;
  }
}

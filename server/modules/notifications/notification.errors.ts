/** Why the notifications area refuses a request (merged into the schema's ErrorReason). */
export enum NotificationErrorReason {
  /** sendTestNotification on a channel the user has not set up (no IM URL, e-mail off, or no SMTP_URL). */
  NOTIFICATION_CHANNEL_NOT_SET_UP = 'NOTIFICATION_CHANNEL_NOT_SET_UP',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    notifications: NotificationErrorReason;
  }
}

/** Why the users area refuses a request (merged into the schema's ErrorReason). */
export enum UserErrorReason {
  /** Another user has this e-mail address. */
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  /** The role cannot be given this way (INTEGRATION users come from createApiToken and keep their role). */
  ROLE_NOT_ASSIGNABLE = 'ROLE_NOT_ASSIGNABLE',
  /** The last active ADMIN cannot be deactivated or given another role. */
  LAST_ADMIN = 'LAST_ADMIN',
  /** logout and signOutEverywhere need a user token (API tokens are revoked with revokeApiToken). */
  USER_TOKEN_REQUIRED = 'USER_TOKEN_REQUIRED',
  /** Too many failed sign-ins for the e-mail or from the address: see extensions.retryAfterSeconds. */
  LOGIN_THROTTLED = 'LOGIN_THROTTLED',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    users: UserErrorReason;
  }
}

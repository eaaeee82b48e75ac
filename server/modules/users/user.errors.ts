/** Why the users area refuses a request (merged into the schema's ErrorReason). */
export enum UserErrorReason {
  /** Another user has this e-mail address. */
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  /** The role cannot be given this way (INTEGRATION users come from createApiToken). */
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  /** The password is shorter than the policy allows. */
  PASSWORD_TOO_SHORT = 'PASSWORD_TOO_SHORT',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    users: UserErrorReason;
  }
}

/**
 * What a password must be before it is hashed: 12 to 1,024 characters (NIST SP 800-63B:
 * length over composition rules, a generous maximum so passphrases fit) and not easy to
 * guess, judged by zxcvbn-ts against common passwords, keyboard patterns, repeats and the
 * user's own e-mail and name. Pure: the users area and config.ts (ADMIN_PASSWORD) ask it.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import { CoreErrorReason } from './errors';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
/** zxcvbn's "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_SCORE = 3;

export type PasswordProblem = CoreErrorReason.PASSWORD_TOO_SHORT | CoreErrorReason.PASSWORD_TOO_LONG | CoreErrorReason.PASSWORD_TOO_WEAK;

let estimator: ZxcvbnFactory | undefined;

// Built on first use: the dictionaries take a few tens of milliseconds to index.
function strength(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...zxcvbnCommon.dictionary }, graphs: zxcvbnCommon.adjacencyGraphs });
  return estimator;
}

/** Why the password is refused, with a message for people; undefined when it is acceptable. */
export function passwordProblem(password: string, userInputs: string[] = []): { reason: PasswordProblem; message: string } | undefined {
  // Characters as people count them (code points), not UTF-16 units.
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    return { reason: CoreErrorReason.PASSWORD_TOO_SHORT, message: `password must have at least ${MIN_PASSWORD_LENGTH} characters` };
  }
  if (length > MAX_PASSWORD_LENGTH) {
    return { reason: CoreErrorReason.PASSWORD_TOO_LONG, message: `password must have at most ${MAX_PASSWORD_LENGTH} characters` };
  }
  // E-mail parts and name words count as guesses too ("li.na2026!" for li.na@…).
  const inputs = userInputs
    .map((s) => s.toLowerCase())
    .flatMap((s) => [s, s.split('@')[0], s.replace(/[^\p{L}\p{N}]+/gu, ''), ...s.split(/[^\p{L}\p{N}]+/u)])
    .filter((s) => s.length >= 3);
  if (strength().check(password, inputs).score < MIN_SCORE) {
    return {
      reason: CoreErrorReason.PASSWORD_TOO_WEAK,
      message: 'password is too easy to guess (a common password, a pattern or your own name or e-mail): use a longer passphrase of unrelated words',
    };
  }
  return undefined;
}

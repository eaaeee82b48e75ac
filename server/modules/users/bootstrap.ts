/**
 * First start: the token secret and the first administrator. Idempotent, and safe
 * with several instances starting at once (advisory lock).
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { hashPassword, newRandomSecret, Role } from '../../core/auth';
import { AppSetting } from '../../db/app-setting.entity';
import { lockForTransaction } from '../../db/locks';
import { User } from './user.entity';

const BOOTSTRAP_LOCK = 0x68_75_69_6b; // "huik"
const DEFAULT_ADMIN_EMAIL = 'admin@example.com';

export interface BootstrapResult {
  tokenSecret: string;
  /** Set when this start created the first administrator. */
  createdAdmin?: { email: string; generatedPassword?: string };
}

export async function bootstrap(orm: MikroORM, options: { adminEmail?: string; adminPassword?: string; tokenSecret?: string }): Promise<BootstrapResult> {
  return orm.em.fork().transactional(async (em) => {
    await lockForTransaction(em, BOOTSTRAP_LOCK);
    let tokenSecret = options.tokenSecret;
    if (!tokenSecret) {
      const stored = await em.findOne(AppSetting, { key: 'token_secret' });
      tokenSecret = stored?.value ?? newRandomSecret();
      if (!stored) em.create(AppSetting, { key: 'token_secret', value: tokenSecret });
    }
    const result: BootstrapResult = { tokenSecret };
    const humans = await em.count(User, { role: { $ne: Role.INTEGRATION } });
    if (humans === 0) {
      const email = (options.adminEmail ?? DEFAULT_ADMIN_EMAIL).toLowerCase();
      const generatedPassword = options.adminPassword ? undefined : randomBytes(12).toString('base64url');
      em.create(User, {
        email,
        name: 'Administrator',
        role: Role.ADMIN,
        passwordHash: await hashPassword(options.adminPassword ?? generatedPassword!),
      });
      result.createdAdmin = { email, generatedPassword };
    }
    return result;
  });
}

/**
 * Notifications for people: each user's settings (e-mail on or off, an IM bot, a
 * preference per kind; the language is User.locale, the users area's), a test message on a channel, and the outbox as a list (ADMIN:
 * anyone's; everyone else: their own).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../../core/auth';
import { can, Permission } from '../../core/access';
import { badInput, CoreErrorReason, forbidden, notFound } from '../../core/errors';
import { findById } from '../../db/find';
import { User } from '../users/user.entity';
import { type Page, pageSize } from '../../core/pagination';
import { type AddressPolicy, checkWebhookUrl } from '../webhooks/webhook.address';
import { NotificationErrorReason } from './notification.errors';
import { NOTIFICATION, notificationPage, SAVE_SETTINGS, SETTINGS, type SettingsRow, WRITE_OUTBOX } from './notification.queries';
import type { NotificationSender } from './notification.sender';
import { testMessage } from './notification.texts';
import {
  Notification,
  NotificationChannel,
  NotificationDelivery,
  NotificationKind,
  type NotificationSettings,
  type NotificationSettingsInput,
  NotificationStatus,
} from './notification.types';

/** The kinds a user chooses a delivery for (TEST and the daily digest itself are always sent). */
const CHOOSABLE: readonly NotificationKind[] = Object.values(NotificationKind).filter(
  (kind) => kind !== NotificationKind.TEST && kind !== NotificationKind.DAILY_DIGEST,
);
const DELIVERIES: readonly string[] = Object.values(NotificationDelivery);

export class NotificationService {
  constructor(
    private readonly em: EntityManager,
    private readonly sender: NotificationSender,
    private readonly policy: AddressPolicy,
  ) {}

  async settings(principal: Principal): Promise<NotificationSettings> {
    return this.present(await SETTINGS.one(this.em, { userId: principal.userId }));
  }

  async update(principal: Principal, input: NotificationSettingsInput): Promise<NotificationSettings> {
    const current = await SETTINGS.one(this.em, { userId: principal.userId });
    let imWebhookUrl = current.imWebhookUrl;
    if (input.imWebhookUrl !== undefined && input.imWebhookUrl !== null) {
      imWebhookUrl = input.imWebhookUrl === '' ? null : await checkWebhookUrl(input.imWebhookUrl, this.policy, 'input.imWebhookUrl');
    }
    const preferences = { ...current.preferences };
    for (const [i, preference] of (input.preferences ?? []).entries()) {
      if (!CHOOSABLE.includes(preference.kind)) {
        throw badInput(`input.preferences.${i}.kind`, `${preference.kind} notifications are always sent`, CoreErrorReason.INVALID_FORMAT);
      }
      preferences[preference.kind] = preference.delivery;
    }
    const saved = {
      userId: principal.userId,
      emailEnabled: input.emailEnabled ?? current.emailEnabled,
      imWebhookUrl,
      preferences: JSON.stringify(preferences),
    };
    await SAVE_SETTINGS.run(this.em, saved);
    return this.present({ ...current, ...saved, preferences });
  }

  /** Sends a test message on the channel, through the outbox like any other. */
  async sendTest(principal: Principal, channel: NotificationChannel): Promise<Notification> {
    const settings = await SETTINGS.one(this.em, { userId: principal.userId });
    const row = this.sender.rowsFor(settings, NotificationKind.TEST, testMessage(settings.locale), null).find((r) => r.channel === channel);
    if (!row) {
      throw badInput(
        'channel',
        channel === NotificationChannel.EMAIL ? 'e-mail is off for you, or the server has no SMTP_URL' : 'you have no IM webhook URL',
        NotificationErrorReason.NOTIFICATION_CHANNEL_NOT_SET_UP,
      );
    }
    const [id] = await this.em.transactional((em) => WRITE_OUTBOX.all(em, { rows: JSON.stringify([row]), cursorSeq: null }));
    return NOTIFICATION.one(this.em, { id });
  }

  /**
   * ADMIN: the daily digest now, as DIGEST_AT sends it (e.g. after a long outage), of
   * everyone or of one user; answers how many digests were written.
   */
  async sendDailyDigests(userId: string | null | undefined): Promise<number> {
    if (userId && !(await findById(this.em, User, userId))) throw notFound('User', userId, 'userId');
    return this.sender.dailyDigest(userId || null);
  }

  /** ADMIN: anyone's (or everyone's, without userId); everyone else: their own. */
  async list(
    principal: Principal,
    userId: string | null | undefined,
    status: NotificationStatus | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    count: boolean,
  ): Promise<Page<Notification>> {
    const readsAll = can(principal, Permission.NOTIFICATIONS_READ_ALL);
    if (!readsAll && userId && userId !== principal.userId) throw forbidden('Only ADMIN reads the notifications of others');
    return notificationPage(this.em, { userId: readsAll ? (userId ?? null) : principal.userId, status: status ?? null, first: pageSize(first), after, count });
  }

  private present(settings: SettingsRow): NotificationSettings {
    return {
      emailEnabled: settings.emailEnabled,
      emailAvailable: this.sender.emailAvailable,
      email: settings.email,
      imWebhookUrl: settings.imWebhookUrl,
      preferences: CHOOSABLE.map((kind) => ({
        kind,
        delivery: DELIVERIES.includes(settings.preferences[kind]) ? (settings.preferences[kind] as NotificationDelivery) : NotificationDelivery.IMMEDIATE,
      })),
    };
  }
}

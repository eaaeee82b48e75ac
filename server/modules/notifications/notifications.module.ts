/**
 * The notifications area: alarms that reach people by e-mail (SMTP) and IM bots, from
 * the one event table, through an outbox; each user's settings; ADMINs told of webhook
 * endpoints the deliveries disabled. A trigger on the event table enqueues the fan-out
 * in the events' transaction; a sweep at start-up and every minute catches up.
 */
import { defineArea, type RequestScope } from '../../core/module';
import type { JobHelpers } from '../../db/job-queue';
import { ENDPOINT_DISABLED } from '../webhooks/webhook.delivery';
import { NotificationErrorReason } from './notification.errors';
import {
  DIGEST_TASK,
  ESCALATION_TASK,
  FANOUT_TASK,
  LATE_BOOKING_TASK,
  NOTIFICATION_SWEEP_TASK,
  REMINDERS_TASK,
  SEND_TASK,
  WEEKLY_TASK,
} from './notification.queries';
import { NotificationResolver } from './notification.resolver';
import { NotificationSender } from './notification.sender';
import { NotificationService } from './notification.service';
import { Migration20261221000000_notifications } from './migrations/Migration20261221000000_notifications';
import { Migration20261221010000_notification_reminders } from './migrations/Migration20261221010000_notification_reminders';
import { Migration20261221020000_notification_weekly } from './migrations/Migration20261221020000_notification_weekly';
import { Migration20261221030000_notification_bookings_escalations } from './migrations/Migration20261221030000_notification_bookings_escalations';
import { Migration20261222010000_notification_locale_on_user } from './migrations/Migration20261222010000_notification_locale_on_user';
import { Migration20261222020000_notification_daily_digest } from './migrations/Migration20261222020000_notification_daily_digest';
import { Migration20261225000000_notification_fanout_on_events } from './migrations/Migration20261225000000_notification_fanout_on_events';

declare module '../../context' {
  interface Services {
    notifications: NotificationService;
  }
}

export const notificationsArea = defineArea({
  name: 'notifications',
  migrations: [
    { name: 'Migration20261221000000_notifications', class: Migration20261221000000_notifications },
    { name: 'Migration20261221010000_notification_reminders', class: Migration20261221010000_notification_reminders },
    { name: 'Migration20261221020000_notification_weekly', class: Migration20261221020000_notification_weekly },
    { name: 'Migration20261221030000_notification_bookings_escalations', class: Migration20261221030000_notification_bookings_escalations },
    { name: 'Migration20261222010000_notification_locale_on_user', class: Migration20261222010000_notification_locale_on_user },
    { name: 'Migration20261222020000_notification_daily_digest', class: Migration20261222020000_notification_daily_digest },
    { name: 'Migration20261225000000_notification_fanout_on_events', class: Migration20261225000000_notification_fanout_on_events },
  ],
  resolvers: [NotificationResolver],
  reasons: NotificationErrorReason,
  setup({ jobs, clock, config, logger, extensions }) {
    const policy = { allowPrivate: config.webhooks.allowPrivate, allowHttp: config.webhooks.allowHttp || config.nodeEnv !== 'production' };
    const sender = new NotificationSender(jobs, clock, config, policy, logger);
    extensions.add(ENDPOINT_DISABLED, (endpoint) => sender.notifyAdmins(endpoint));
    return {
      services: ({ em }: RequestScope) => ({ notifications: new NotificationService(em, sender, policy) }),
      tasks: {
        [FANOUT_TASK]: (_payload: unknown, helpers: JobHelpers) => sender.fanout(helpers),
        [SEND_TASK]: (payload: unknown) => sender.send((payload as { id: string }).id),
        [REMINDERS_TASK]: () => sender.reminders(),
        [WEEKLY_TASK]: (payload: unknown) => sender.weekly((payload as { weekStart: string }).weekStart),
        [LATE_BOOKING_TASK]: (payload: unknown) => sender.lateBooking((payload as { paymentId: string }).paymentId),
        [ESCALATION_TASK]: (payload: unknown) => sender.escalation((payload as { proposalId: string }).proposalId),
        [NOTIFICATION_SWEEP_TASK]: () => sender.sweep(),
        [DIGEST_TASK]: () => sender.scheduledDigest(),
      },
      cron: [`* * * * * ${NOTIFICATION_SWEEP_TASK} ?max=1`],
      start: () => sender.sweep(),
      stop: () => sender.close(),
    };
  },
});

/**
 * Sending notifications: the fan-out job turns stream events into outbox rows (in the
 * recipient's language, per channel) and moves its cursor in the same transaction, each
 * row with its send job; the send job claims its row, sends it by e-mail (nodemailer,
 * SMTP_URL) or to an IM bot (a JSON POST in the bot's format) and records the attempt,
 * retrying with exponential backoff up to 8 attempts. A sweep at start-up and every
 * minute re-enqueues what a dead process left.
 *
 * Nothing is lost: a row exists before anything is sent, and only its own attempt ends
 * it. Nothing is sent twice in the ordinary course: a row is claimed (SENDING) before it
 * is sent and a sent row is never claimed again; only a process that dies between the
 * SMTP server's or bot's acceptance and the row's update leaves a SENDING row, which the
 * sweep sends again after two minutes (at least once, as the webhooks).
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { formatMoney } from '../../core/money';
import { enqueueJob, type JobHelpers, withSessionLock } from '../../db/job-queue';
import type { AddressPolicy } from '../webhooks/webhook.address';
import type { DisabledEndpoint } from '../webhooks/webhook.delivery';
import { postJson } from '../webhooks/webhook.http';
import { SNAPSHOT_OF_WEEK } from '../analytics/weekly-analysis.queries';
import { analysisFromSnapshot } from '../analytics/weekly-analysis.service';
import {
  BATCH_END,
  CLAIM,
  type ClaimedNotification,
  DUE_REMINDERS,
  ESCALATED_PROPOSAL,
  LATE_BOOKING,
  MARK_REMINDERS_DELIVERED,
  type OutboxRow,
  RECIPIENTS,
  RECORD_SEND,
  ROLE_SETTINGS,
  SEND_TASK,
  SWEEP_OUTBOX,
  WRITE_OUTBOX,
} from './notification.queries';
import {
  endpointDisabledMessage,
  escalationMessage,
  eventMessage,
  feedbackReminderMessage,
  lateBookingMessage,
  type Message,
  weeklyDigestMessage,
} from './notification.texts';
import { NotificationChannel, NotificationKind, type NotificationLocale } from './notification.types';

/** Events turned into rows per transaction. */
const FANOUT_BATCH = 500;
const MAX_ATTEMPTS = 8;
const RETRY_BASE_MS = 30_000;
const IM_TIMEOUT_MS = 10_000;

/** Where a recipient's messages go. */
export interface Channels {
  userId: string;
  email: string;
  emailEnabled: boolean;
  imWebhookUrl: string | null;
  locale: NotificationLocale;
}

/** The bot's own JSON: WeCom and DingTalk `msgtype: text`, Feishu/Lark `msg_type: text`, Slack and others `text`. */
export function imPayload(url: URL, message: Message): string {
  const content = `${message.subject}\n${message.body}`;
  if (url.hostname === 'qyapi.weixin.qq.com' || url.hostname === 'oapi.dingtalk.com') return JSON.stringify({ msgtype: 'text', text: { content } });
  if (url.hostname.endsWith('feishu.cn') || url.hostname.endsWith('larksuite.com')) return JSON.stringify({ msg_type: 'text', content: { text: content } });
  return JSON.stringify({ text: content });
}

export class NotificationSender {
  private readonly mail: Transporter | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly config: Config,
    private readonly policy: AddressPolicy,
    private readonly logger: Logger,
  ) {
    this.mail = config.smtpUrl ? createTransport(config.smtpUrl) : undefined;
  }

  get emailAvailable(): boolean {
    return this.mail !== undefined;
  }

  /** The outbox rows of one message to one recipient: one per channel they have. */
  rowsFor(to: Channels, kind: NotificationKind, message: Message, eventSeq: string | null, dedupe?: string): OutboxRow[] {
    const rows: OutboxRow[] = [];
    const base = { userId: to.userId, kind, subject: message.subject, body: message.body, eventSeq };
    const key = (channel: NotificationChannel) => (dedupe ? `${dedupe}:${to.userId}:${channel}` : null);
    if (to.emailEnabled && this.mail) rows.push({ ...base, channel: NotificationChannel.EMAIL, address: to.email, dedupeKey: key(NotificationChannel.EMAIL) });
    if (to.imWebhookUrl) rows.push({ ...base, channel: NotificationChannel.IM, address: to.imWebhookUrl, dedupeKey: key(NotificationChannel.IM) });
    return rows;
  }

  /** The fan-out job: stream events into outbox rows, batch by batch, one instance at a time. */
  async fanout(helpers: JobHelpers): Promise<void> {
    await helpers.withPgClient((client) =>
      withSessionLock(client, 'notifications:fanout', async () => {
        for (;;) {
          const more = await this.orm.em.fork().transactional(async (em) => {
            const endSeq = await BATCH_END.one(em, { limit: FANOUT_BATCH });
            if (endSeq === null) return false;
            const rows = (await RECIPIENTS.all(em, { endSeq })).flatMap((r) => {
              const message = eventMessage(r, r.locale, this.config.currency);
              return message ? this.rowsFor(r, r.kind, message, r.seq) : [];
            });
            await WRITE_OUTBOX.all(em, { rows: JSON.stringify(rows), cursorSeq: endSeq });
            return true;
          });
          if (!more) return;
        }
      }),
    );
  }

  /**
   * The reminder job: stored feedback reminders into outbox rows, marked delivered in the
   * same transaction. A reminder says only which period is missing: nothing of anyone's
   * report, anonymous or not.
   */
  async reminders(): Promise<void> {
    for (;;) {
      const more = await this.orm.em.fork().transactional(async (em) => {
        const due = await DUE_REMINDERS.all(em, { emailAvailable: this.emailAvailable, limit: FANOUT_BATCH });
        if (due.length === 0) return false;
        const rows = due.flatMap((r) => this.rowsFor(r, NotificationKind.FEEDBACK_REMINDER, feedbackReminderMessage(r.period, r.periodStart, r.locale), null));
        await WRITE_OUTBOX.all(em, { rows: JSON.stringify(rows), cursorSeq: null });
        await MARK_REMINDERS_DELIVERED.run(em, { ids: due.map((r) => r.reminderId) });
        return true;
      });
      if (!more) return;
    }
  }

  /** The weekly digest job: every MANAGER gets the week's snapshot in short, once per channel. */
  async weekly(weekStart: string): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const snapshot = await SNAPSHOT_OF_WEEK.maybeOne(em, { weekStart });
      if (!snapshot) return;
      const analysis = analysisFromSnapshot(snapshot);
      const managers = await ROLE_SETTINGS.all(em, { role: 'MANAGER', kind: NotificationKind.WEEKLY_DIGEST });
      const rows = managers.flatMap((manager) =>
        this.rowsFor(manager, NotificationKind.WEEKLY_DIGEST, weeklyDigestMessage(analysis, manager.locale, this.config.currency), null, `weekly:${weekStart}`),
      );
      await WRITE_OUTBOX.all(em, { rows: JSON.stringify(rows), cursorSeq: null });
    });
  }

  /** FINANCE hears of a large payment booked late (the job of the payment's trigger). */
  async lateBooking(paymentId: string): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const booking = await LATE_BOOKING.maybeOne(em, { paymentId, threshold: formatMoney(this.config.lateBookingNotifyAmount) });
      if (!booking) return;
      const clerks = await ROLE_SETTINGS.all(em, { role: 'FINANCE', kind: NotificationKind.LATE_BOOKING });
      const rows = clerks.flatMap((to) =>
        this.rowsFor(to, NotificationKind.LATE_BOOKING, lateBookingMessage(booking, to.locale, this.config.currency), null, `late-booking:${paymentId}`),
      );
      await WRITE_OUTBOX.all(em, { rows: JSON.stringify(rows), cursorSeq: null });
    });
  }

  /** PROJECT_LEADs hear that a proposal was escalated (the job of the proposal's trigger). */
  async escalation(proposalId: string): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const proposal = await ESCALATED_PROPOSAL.maybeOne(em, { proposalId });
      if (!proposal) return;
      const leads = await ROLE_SETTINGS.all(em, { role: 'PROJECT_LEAD', kind: NotificationKind.PROPOSAL_ESCALATED });
      const rows = leads.flatMap((to) =>
        this.rowsFor(to, NotificationKind.PROPOSAL_ESCALATED, escalationMessage(proposal.title, proposal.note, to.locale), null, `escalation:${proposalId}`),
      );
      await WRITE_OUTBOX.all(em, { rows: JSON.stringify(rows), cursorSeq: null });
    });
  }

  /** Tells every ADMIN (their channels, their language) that deliveries disabled a webhook endpoint. */
  async notifyAdmins(endpoint: DisabledEndpoint): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const admins = await ROLE_SETTINGS.all(em, { role: 'ADMIN', kind: NotificationKind.WEBHOOK_ENDPOINT_DISABLED });
      const rows = admins.flatMap((admin) =>
        this.rowsFor(admin, NotificationKind.WEBHOOK_ENDPOINT_DISABLED, endpointDisabledMessage(endpoint.url, endpoint.deadInARow, admin.locale), null),
      );
      await WRITE_OUTBOX.all(em, { rows: JSON.stringify(rows), cursorSeq: null });
    });
  }

  /** The send job of one row. */
  async send(id: string): Promise<void> {
    const em = this.orm.em.fork();
    const claimed = await CLAIM.maybeOne(em, { id });
    if (!claimed) return;
    const error = await this.deliver(claimed);
    const retryAt =
      error !== null && claimed.attempts + 1 < MAX_ATTEMPTS
        ? new Date(Date.now() + RETRY_BASE_MS * 2 ** claimed.attempts * (0.75 + Math.random() * 0.5))
        : null;
    await RECORD_SEND.run(em, { id, error, retryAt });
    if (retryAt) await enqueueJob(em, SEND_TASK, { id }, { jobKey: `notification:${id}`, runAt: retryAt, mode: 'replace' });
    if (error !== null) this.logger.warn({ notificationId: id, channel: claimed.channel, error, retry: retryAt !== null }, 'a notification could not be sent');
  }

  async sweep(): Promise<void> {
    await SWEEP_OUTBOX.one(this.orm.em.fork());
  }

  /** Sends; answers why it failed, or null. */
  private async deliver(n: ClaimedNotification): Promise<string | null> {
    if (n.channel === NotificationChannel.EMAIL) {
      if (!this.mail) return 'e-mail is not configured (SMTP_URL)';
      try {
        await this.mail.sendMail({ from: this.config.mailFrom, to: n.address, subject: n.subject, text: n.body });
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    }
    const url = new URL(n.address);
    const attempt = await postJson(url, imPayload(url, n), this.policy, IM_TIMEOUT_MS, {});
    return attempt.error;
  }

  close(): void {
    this.mail?.close();
  }
}

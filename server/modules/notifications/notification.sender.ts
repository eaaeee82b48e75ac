/**
 * Sending notifications: the fan-out job turns stream events into outbox rows (in the
 * recipient's language, per channel) and moves its cursor in the same transaction, each
 * row with its send job; the send job claims its row, sends it by e-mail (nodemailer,
 * SMTP_URL) or to an IM bot (a JSON POST in the bot's format) and records the attempt,
 * retrying with exponential backoff up to 8 attempts. A sweep at start-up and every
 * minute re-enqueues what a dead process left (a send it interrupted counts as an attempt).
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
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock';
import { nextDailyInstant } from '../../core/daily-schedule';
import { enqueueJob, type JobHelpers, withSessionLock } from '../../db/job-queue';
import type { AddressPolicy } from '../webhooks/webhook.address';
import type { DisabledEndpoint } from '../webhooks/webhook.delivery';
import { postJson } from '../webhooks/webhook.http';
import { addDays } from '../../core/local-date';
import { Role } from '../../core/auth';
import { GoalService } from '../analytics/goal.service';
import type { Scorecard } from '../analytics/goal.types';
import { MetricsService } from '../analytics/metrics.service';
import { SNAPSHOT_OF_WEEK } from '../analytics/weekly-analysis.queries';
import { analysisFromSnapshot } from '../analytics/weekly-analysis.service';
import {
  BATCH_END,
  CLAIM,
  type ClaimedNotification,
  DIGEST_TASK,
  type DigestRow,
  FANOUT_TASK,
  DUE_REMINDERS,
  ESCALATED_PROPOSAL,
  HELD_FOR_DIGEST,
  LATE_BOOKING,
  MARK_REMINDERS_DELIVERED,
  type OutboxRow,
  RECIPIENTS,
  RECORD_SEND,
  ROLE_SETTINGS,
  SEND_TASK,
  SWEEP_OUTBOX,
  USER_NAMES,
  WRITE_DIGESTS,
  WRITE_OUTBOX,
} from './notification.queries';
import {
  dailyDigestMessage,
  endpointDisabledMessage,
  escalationMessage,
  eventMessage,
  EVENTS_NOT_TOLD,
  feedbackReminderMessage,
  lateBookingMessage,
  type Message,
  type ScorecardMover,
  weeklyDigestMessage,
} from './notification.texts';
import type { Locale } from '../users/user.locale';
import { NotificationChannel, NotificationKind } from './notification.types';

/** Events turned into rows per transaction. */
const FANOUT_BATCH = 500;
const MAX_ATTEMPTS = 8;
/** Late rows whose send job a sweep adds again, at most (SWEEP_OUTBOX): more than a dead worker can have held. */
const SWEEP_LIMIT = 1000;
const RETRY_BASE_MS = 30_000;
const IM_TIMEOUT_MS = 10_000;
/** A fan-out that found another one running looks again this much later. */
const BUSY_RETRY_MS = 250;
/** Scorecard movers a weekly digest names. */
const MOVERS = 3;

/**
 * The salespeople whose scorecard moved most against the week before: those whose score
 * changed (to or from none included), by the size of the change (none counts as 0), then
 * of the rank change, then by name; at most MOVERS. An unscored card has no rank here
 * (the scorecards put them last, sharing a rank).
 */
export function scorecardMovers(now: readonly Scorecard[], before: readonly Scorecard[], names: ReadonlyMap<string, string>): ScorecardMover[] {
  const previous = new Map(before.map((c) => [c.salespersonId, c]));
  return now
    .flatMap((card) => {
      const prior = previous.get(card.salespersonId);
      const scoreBefore = prior?.score ?? null;
      if (card.score === scoreBefore) return [];
      return [
        {
          name: names.get(card.salespersonId) ?? card.salespersonId,
          rankBefore: scoreBefore === null ? null : prior!.rank,
          rankAfter: card.score === null ? null : card.rank,
          scoreBefore,
          scoreAfter: card.score,
          size: Math.abs((card.score ?? 0) - (scoreBefore ?? 0)),
          ranks: Math.abs((prior?.rank ?? 0) - card.rank),
        },
      ];
    })
    .sort((a, b) => b.size - a.size || b.ranks - a.ranks || a.name.localeCompare(b.name))
    .slice(0, MOVERS)
    .map(({ size: _size, ranks: _ranks, ...mover }) => mover);
}

/** Where a recipient's messages go. */
export interface Channels {
  userId: string;
  email: string;
  emailEnabled: boolean;
  imWebhookUrl: string | null;
  locale: Locale;
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
    private readonly clock: Clock,
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

  /**
   * The fan-out job: stream events into outbox rows, batch by batch, one instance at a
   * time. When another fan-out holds the lock this one looks again shortly instead of
   * ending: events committed after the running fan-out's last look would otherwise wait
   * for the minute's sweep.
   */
  async fanout(helpers: JobHelpers): Promise<void> {
    const ran = await helpers.withPgClient((client) =>
      withSessionLock(client, 'notifications:fanout', async () => {
        for (;;) {
          const more = await this.orm.em.fork().transactional(async (em) => {
            const endSeq = await BATCH_END.one(em, { limit: FANOUT_BATCH });
            if (endSeq === null) return false;
            const rows = (await RECIPIENTS.all(em, { endSeq, untold: EVENTS_NOT_TOLD, emailAvailable: this.emailAvailable })).flatMap((r) => {
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
    if (!ran)
      await enqueueJob(
        this.orm.em.fork(),
        FANOUT_TASK,
        {},
        { jobKey: 'notifications:fanout', runAt: new Date(Date.now() + BUSY_RETRY_MS), mode: 'preserve_run_at' },
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
      if (managers.length === 0) return;
      // The scorecards of the week and the one before, as a MANAGER reads them (scorecards(from, to)).
      const goals = new GoalService(em, this.clock, new MetricsService(em, this.config.timeZone, this.config.contactSlaWorkingDays));
      const reader = { userId: managers[0].userId, role: Role.MANAGER };
      const now = await goals.scorecards(reader, analysis.weekStart, analysis.weekEnd);
      const before = await goals.scorecards(reader, addDays(analysis.weekStart, -7), addDays(analysis.weekEnd, -7));
      const names = new Map((await USER_NAMES.all(em, { ids: now.map((c) => c.salespersonId) })).map((u) => [u.id, u.name]));
      const movers = scorecardMovers(now, before, names);
      const rows = managers.flatMap((manager) =>
        this.rowsFor(
          manager,
          NotificationKind.WEEKLY_DIGEST,
          weeklyDigestMessage(analysis, movers, manager.locale, this.config.currency),
          null,
          `weekly:${weekStart}`,
        ),
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

  /**
   * The daily digest (the DIGEST_AT job and sendDailyDigests run this): every user's (or one user's) kept
   * rows of one channel and address become ONE digest row, and they are marked DIGESTED
   * with its id, in one transaction. Nobody with nothing kept gets anything. Answers how
   * many digests were written.
   */
  async dailyDigest(userId: string | null = null): Promise<number> {
    return this.orm.em.fork().transactional(async (em) => {
      const held = await HELD_FOR_DIGEST.all(em, { userId });
      const groups = new Map<string, typeof held>();
      for (const row of held) {
        const key = `${row.userId}\n${row.channel}\n${row.address}`;
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      const date = this.clock.today();
      const digests: DigestRow[] = [...groups.values()].map((rows) => ({
        id: randomUUID(),
        userId: rows[0].userId,
        channel: rows[0].channel,
        address: rows[0].address,
        ...dailyDigestMessage(rows, date, rows[0].locale),
        items: rows.map((r) => r.id),
      }));
      return digests.length === 0 ? 0 : WRITE_DIGESTS.one(em, { digests: JSON.stringify(digests) });
    });
  }

  /** The DIGEST_AT job: the digest, then the job of the next DIGEST_AT (company time zone). */
  async scheduledDigest(): Promise<void> {
    if (this.config.digestAt === null) return;
    await this.dailyDigest();
    await this.scheduleDigest('replace');
  }

  /**
   * The job of the next DIGEST_AT, one for every instance (keyed). `preserve_run_at` (the
   * sweep) keeps a waiting job's time, so a digest missed while every instance was down
   * goes out as soon as one is up; `replace` (after a digest) sets the next one.
   */
  private async scheduleDigest(mode: 'replace' | 'preserve_run_at'): Promise<void> {
    if (this.config.digestAt === null) return;
    const runAt = nextDailyInstant(new Date(), this.config.digestAt, this.config.timeZone);
    await enqueueJob(this.orm.em.fork(), DIGEST_TASK, {}, { jobKey: 'notifications:digest', runAt, mode });
  }

  async sweep(): Promise<void> {
    await SWEEP_OUTBOX.one(this.orm.em.fork(), { maxAttempts: MAX_ATTEMPTS, limit: SWEEP_LIMIT });
    await this.scheduleDigest('preserve_run_at');
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

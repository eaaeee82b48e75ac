/**
 * What a notification says, in the recipient's language (zh-CN or en). One function per
 * kind of message; the figures come as the event table stores them (money as decimal
 * text, never re-computed).
 */
import { Locale } from '../users/user.locale';
import { formatMoney } from '../../core/money';
import type { WeeklyAnalysis } from '../analytics/weekly-analysis.types';
import { OverdueEventType } from '../overdue/overdue.types';

/** An event as a notification tells it. */
export interface EventForPeople {
  type: string;
  customerCode: string;
  customerName: string;
  reference: string | null;
  stage: number | null;
  daysOverdue: number | null;
  outstanding: string | null;
  state: string | null;
  amount: string | null;
  asOf: string;
}

/** A payment booked late, as a FINANCE message tells it. */
export interface LateBooking {
  amount: string;
  receivedOn: string;
  bookingLagDays: number;
  lagReason: string;
  customerCode: string;
  customerName: string;
}

export interface Message {
  subject: string;
  body: string;
}

const PROMISE_ZH: Record<string, string> = { PROMISE_MADE: '做出了付款承诺', PROMISE_KEPT: '兑现了付款承诺', PROMISE_BROKEN: '未兑现付款承诺' };
const PROMISE_EN: Record<string, string> = {
  PROMISE_MADE: 'made a promise to pay',
  PROMISE_KEPT: 'kept a promise to pay',
  PROMISE_BROKEN: 'broke a promise to pay',
};

/**
 * The stream events nobody is notified of, deliberately: a customer's credit status is
 * for the webhooks and the worklist, not a message to a person. Every other
 * OverdueEventType has a text (a unit test walks the enum).
 */
export const EVENTS_NOT_TOLD: readonly OverdueEventType[] = [OverdueEventType.CREDIT_STATUS_CHANGED];

/** The message of a stream event; undefined for the events nobody is notified of (EVENTS_NOT_TOLD). */
export function eventMessage(e: EventForPeople, locale: Locale, currency: string): Message | undefined {
  const zh = locale === Locale.ZH_CN;
  const customer = `${e.customerName} (${e.customerCode})`;
  const what = e.reference ? (zh ? `应收 ${e.reference}` : `invoice ${e.reference}`) : zh ? '客户' : 'the customer';
  const money = (value: string | null) => (value === null ? '' : `${value} ${currency}`);
  switch (e.type) {
    case 'BECAME_OVERDUE':
      return zh
        ? {
            subject: `【逾期提醒】${e.customerName} ${e.reference} 已逾期 ${e.daysOverdue} 天`,
            body: `客户 ${customer} 的${what}已逾期 ${e.daysOverdue} 天，未收金额 ${money(e.outstanding)}（截至 ${e.asOf}）。`,
          }
        : {
            subject: `[Overdue] ${e.customerName} ${e.reference} is ${e.daysOverdue} days overdue`,
            body: `${customer}: ${what} is ${e.daysOverdue} days overdue, ${money(e.outstanding)} outstanding (as of ${e.asOf}).`,
          };
    case 'STAGE_ESCALATED':
      return zh
        ? {
            subject: `【逾期升级】${e.customerName} ${e.reference} 逾期已达 ${e.stage} 天`,
            body: `客户 ${customer} 的${what}逾期已达 ${e.stage} 天阶段（逾期 ${e.daysOverdue} 天），未收金额 ${money(e.outstanding)}（截至 ${e.asOf}）。`,
          }
        : {
            subject: `[Overdue ${e.stage}+] ${e.customerName} ${e.reference} escalated`,
            body: `${customer}: ${what} reached the ${e.stage}-day stage (${e.daysOverdue} days overdue), ${money(e.outstanding)} outstanding (as of ${e.asOf}).`,
          };
    case 'CLEARED':
      return zh
        ? { subject: `【逾期解除】${e.customerName} ${e.reference} 不再逾期`, body: `客户 ${customer} 的${what}已不再逾期（截至 ${e.asOf}）。` }
        : { subject: `[Cleared] ${e.customerName} ${e.reference} is no longer overdue`, body: `${customer}: ${what} is no longer overdue (as of ${e.asOf}).` };
    case 'PROMISE_MADE':
    case 'PROMISE_KEPT':
    case 'PROMISE_BROKEN':
      return zh
        ? {
            subject: `【付款承诺】${e.customerName} ${PROMISE_ZH[e.type]}`,
            body: `客户 ${customer} ${PROMISE_ZH[e.type]}，金额 ${money(e.amount)}（${e.asOf}）。`,
          }
        : { subject: `[Promise] ${e.customerName} ${PROMISE_EN[e.type]}`, body: `${customer} ${PROMISE_EN[e.type]} of ${money(e.amount)} (${e.asOf}).` };
    case 'PROMISE_REOPENED':
      return zh
        ? {
            subject: `【付款承诺】${e.customerName} 的付款承诺重新待兑现`,
            body: `客户 ${customer} 的付款承诺（金额 ${money(e.amount)}）在截止日前重新变为待兑现：回款被作废或截止日因日历调整而推迟（${e.asOf}）。`,
          }
        : {
            subject: `[Promise] ${e.customerName}'s promise to pay is open again`,
            body: `${customer}: the promise to pay of ${money(e.amount)} is open again before its deadline: its money was voided or the deadline moved with the calendar (${e.asOf}).`,
          };
    case 'DISPUTE_OPENED':
      return zh
        ? { subject: `【争议】${e.customerName} 对${what}提出争议`, body: `客户 ${customer} 对${what}提出争议，金额 ${money(e.amount)}（${e.asOf}）。` }
        : { subject: `[Dispute] ${e.customerName} disputes ${what}`, body: `${customer} disputes ${what}: ${money(e.amount)} (${e.asOf}).` };
    case 'DISPUTE_RESOLVED':
      return zh
        ? { subject: `【争议解决】${e.customerName} ${what}：${e.state}`, body: `客户 ${customer} 关于${what}的争议已解决：${e.state}（${e.asOf}）。` }
        : {
            subject: `[Dispute resolved] ${e.customerName} ${what}: ${e.state}`,
            body: `${customer}: the dispute of ${what} was resolved ${e.state} (${e.asOf}).`,
          };
    default:
      return undefined;
  }
}

export function endpointDisabledMessage(url: string, deadInARow: number, locale: Locale): Message {
  return locale === Locale.ZH_CN
    ? {
        subject: '【Webhook 已停用】连续投递失败',
        body: `Webhook 端点 ${url} 连续 ${deadInARow} 次投递失败，已被停用。修复后请在 updateWebhookEndpoint 中重新启用。`,
      }
    : {
        subject: '[Webhook disabled] consecutive failed deliveries',
        body: `The webhook endpoint ${url} was disabled after ${deadInARow} consecutive dead deliveries. Enable it again with updateWebhookEndpoint once it is fixed.`,
      };
}

export function testMessage(locale: Locale): Message {
  return locale === Locale.ZH_CN
    ? { subject: '【测试】回款通知', body: '这是一条测试通知：您的通知渠道工作正常。' }
    : { subject: '[Test] huikuan notification', body: 'This is a test notification: your channel works.' };
}

export function feedbackReminderMessage(period: string, periodStart: string, locale: Locale): Message {
  const weekly = period === 'WEEK';
  return locale === Locale.ZH_CN
    ? {
        subject: `【反馈提醒】请提交${weekly ? '本周' : '本月'}的使用反馈`,
        body: `您还没有提交${weekly ? '周' : '月'}报（${periodStart} 起）：系统解决了什么、节省了多少工作、还有什么问题、应该改什么。可以匿名提交。`,
      }
    : {
        subject: `[Feedback] Please submit your ${weekly ? 'weekly' : 'monthly'} report`,
        body: `Your ${weekly ? 'weekly' : 'monthly'} feedback report for the period starting ${periodStart} is still missing: what the system solved, the work it saved, what is still wrong, what should change. You may submit it anonymously.`,
      };
}

/** A ratio in [0, 1] as a percentage with one decimal; a dash when there is none. */
const percent = (ratio: number | null) => (ratio === null ? '–' : `${(ratio * 100).toFixed(1)}%`);

/** A salesperson whose scorecard moved against the week before; rank and score null when unscored that week. */
export interface ScorecardMover {
  name: string;
  rankBefore: number | null;
  rankAfter: number | null;
  scoreBefore: number | null;
  scoreAfter: number | null;
}

/**
 * The week's snapshot in short: key figures, the change against last week, the 5
 * customers with the most overdue, and the scorecard movers.
 */
export function weeklyDigestMessage(a: WeeklyAnalysis, movers: readonly ScorecardMover[], locale: Locale, currency: string): Message {
  const zh = locale === Locale.ZH_CN;
  const c = a.change;
  const delta = (value: string | number | null | undefined) => (c ? (zh ? `（较上周 ${value ?? '–'}）` : ` (vs last week ${value ?? '–'})`) : '');
  const worst = a.topOverdueCustomers
    .slice(0, 5)
    .map((o, i) =>
      zh
        ? `${i + 1}. ${o.name}（${o.code}）逾期 ${formatMoney(o.overdueAmount)} ${currency}，最长 ${o.maxDaysOverdue} 天`
        : `${i + 1}. ${o.name} (${o.code}) ${formatMoney(o.overdueAmount)} ${currency} overdue, up to ${o.maxDaysOverdue} days`,
    );
  const rank = (value: number | null) => (value === null ? '–' : zh ? `第 ${value} 名` : `#${value}`);
  const moved = movers.map((m, i) =>
    zh
      ? `${i + 1}. ${m.name}：${rank(m.rankBefore)} → ${rank(m.rankAfter)}，得分 ${percent(m.scoreBefore)} → ${percent(m.scoreAfter)}`
      : `${i + 1}. ${m.name}: ${rank(m.rankBefore)} → ${rank(m.rankAfter)}, score ${percent(m.scoreBefore)} → ${percent(m.scoreAfter)}`,
  );
  const lines = zh
    ? [
        `应收余额：${formatMoney(a.aging.total)} ${currency}${delta(c?.outstanding)}`,
        `逾期金额：${formatMoney(a.overdueAmount)} ${currency}，${a.overdueCount} 笔${delta(c?.overdueAmount)}`,
        `本周回款：${formatMoney(a.received)} ${currency}${delta(c?.received)}`,
        `回款率：${percent(a.collections.collectionRate)}，按时回款率：${percent(a.collections.onTimeRate)}`,
        `逾期最多的客户：`,
        ...(worst.length ? worst : ['无']),
        `成绩变化最大的销售（较上周）：`,
        ...(moved.length ? moved : ['无']),
      ]
    : [
        `Outstanding: ${formatMoney(a.aging.total)} ${currency}${delta(c?.outstanding)}`,
        `Overdue: ${formatMoney(a.overdueAmount)} ${currency} in ${a.overdueCount} receivables${delta(c?.overdueAmount)}`,
        `Received this week: ${formatMoney(a.received)} ${currency}${delta(c?.received)}`,
        `Collection rate: ${percent(a.collections.collectionRate)}, on time: ${percent(a.collections.onTimeRate)}`,
        `Customers with the most overdue:`,
        ...(worst.length ? worst : ['none']),
        `Scorecard movers (vs last week):`,
        ...(moved.length ? moved : ['none']),
      ];
  return {
    subject: zh ? `【周报】${a.weekStart} 至 ${a.weekEnd} 回款分析` : `[Weekly] Receivables ${a.weekStart} to ${a.weekEnd}`,
    body: lines.join('\n'),
  };
}

export function lateBookingMessage(b: LateBooking, locale: Locale, currency: string): Message {
  return locale === Locale.ZH_CN
    ? {
        subject: `【大额延迟入账】${b.customerName} ${b.amount} ${currency}，延迟 ${b.bookingLagDays} 个工作日`,
        body: `客户 ${b.customerName}（${b.customerCode}）的回款 ${b.amount} ${currency} 于 ${b.receivedOn} 到账，${b.bookingLagDays} 个工作日后才入账。原因：${b.lagReason}`,
      }
    : {
        subject: `[Late booking] ${b.customerName} ${b.amount} ${currency}, ${b.bookingLagDays} working days late`,
        body: `${b.customerName} (${b.customerCode}): ${b.amount} ${currency} arrived on ${b.receivedOn} and was booked ${b.bookingLagDays} working days later. Reason: ${b.lagReason}`,
      };
}

export function escalationMessage(title: string, note: string | null, locale: Locale): Message {
  return locale === Locale.ZH_CN
    ? { subject: `【提案已上报】${title}`, body: `改进提案“${title}”已上报管理层决策。${note ? `说明：${note}` : ''}` }
    : {
        subject: `[Escalated] ${title}`,
        body: `The improvement proposal "${title}" was escalated to management for a decision.${note ? ` Note: ${note}` : ''}`,
      };
}

/** The daily digest of one user and channel: the kept messages, oldest first, as they were written. */
export function dailyDigestMessage(items: readonly Message[], date: string, locale: Locale): Message {
  const zh = locale === Locale.ZH_CN;
  const lines = items.map((m, i) => `${i + 1}. ${m.subject}\n   ${m.body.split('\n').join('\n   ')}`);
  return zh
    ? { subject: `【每日摘要】${date} 共 ${items.length} 条通知`, body: lines.join('\n') }
    : { subject: `[Daily digest] ${items.length} notification${items.length === 1 ? '' : 's'}, ${date}`, body: lines.join('\n') };
}

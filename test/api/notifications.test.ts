/**
 * Notifications for people, black-box: a local SMTP server (smtp-server) and a local IM
 * bot endpoint started here receive what the server sends. A salesperson's overdue alarm
 * arrives by e-mail in zh-CN; settings switch the language, add an IM bot and turn a kind
 * off; test messages go through the outbox; ADMINs hear of a webhook endpoint that
 * deliveries disabled; everyone reads their own notifications, ADMIN anyone's.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { addDays } from '../../server/core/local-date';
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import { rejection, startTestServer, type TestServer, type TestUser } from '../helpers/server';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const TODAY = '2026-12-07';

let server: TestServer;
let make: Factories;
let smtp: SMTPServer;
const mails: ParsedMail[] = [];
let bot: WebhookReceiver;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          callback();
        },
        (e: Error) => callback(e),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  bot = await startWebhookReceiver('/bot');
  server = await startTestServer({
    CLOCK_DATE: TODAY,
    WEEKLY_ANALYSIS_AT: 'off',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAIL_FROM: 'huikuan <alarms@huikuan.test>',
    WEBHOOK_ALLOW_PRIVATE: '1',
    WEBHOOK_RETRY_BASE: '100ms',
    WEBHOOK_RETRY_FOR: '500ms',
    WEBHOOK_DISABLE_AFTER_DEAD: '1',
    ...CREDIT_RULES_OFF,
  });
  make = factories(server, { today: TODAY });
});
afterAll(async () => {
  await bot.close();
  await server.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function until<T>(what: string, read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const mailsTo = (address: string) => mails.filter((m) => m.to && !Array.isArray(m.to) && m.to.value.some((v) => v.address === address));

/** A customer of the salesperson with one receivable 20 days overdue at the next scan. */
async function overdueReceivable(sales: TestUser, reference: string): Promise<void> {
  const customer = await make.customer({ ownerId: sales.id, name: '锦华贸易' });
  await make.receivable(customer.id, { reference, amount: '1200.00', issuedOn: addDays(TODAY, -60), dueOn: addDays(TODAY, -20) });
}

test('a salesperson’s overdue alarm arrives by e-mail in zh-CN, and is in their notifications as SENT', async () => {
  const sales = await server.createUser('SALES', '李娜');
  await overdueReceivable(sales, 'INV-ZH-1');
  await make.overdueScan(TODAY);
  const [mail] = await until(
    'the e-mail',
    () => mailsTo(sales.email),
    (list) => list.length > 0,
  );
  expect(mail.from?.value).toEqual([{ name: 'huikuan', address: 'alarms@huikuan.test' }]);
  expect(mail.subject).toBe('【逾期提醒】锦华贸易 INV-ZH-1 已逾期 20 天');
  expect(mail.text).toContain('未收金额 1200.00 CNY');

  // The row is SENT once the SMTP server has accepted the message and the sender has recorded it.
  const nodes = await until(
    'the SENT row',
    async () => (await sales.client.notifications({})).notifications.nodes,
    (list) => list[0]?.status === 'SENT',
  );
  expect(nodes).toEqual([expect.objectContaining({ kind: 'OVERDUE_ALARM', channel: 'EMAIL', status: 'SENT', subject: mail.subject, userId: sales.id })]);
});

test('settings: English, an IM bot, a kind turned off; test messages on both channels', async () => {
  const sales = await server.createUser('SALES');
  const before = (await sales.client.myNotificationSettings()).myNotificationSettings;
  expect(before).toMatchObject({ emailEnabled: true, emailAvailable: true, email: sales.email, imWebhookUrl: null });
  expect(before.preferences.every((p) => p.delivery === 'IMMEDIATE')).toBe(true);
  expect(before.preferences.map((p) => p.kind)).not.toContain('DAILY_DIGEST');
  // The language is the user's own (User.locale), one place for it.
  expect((await sales.client.me()).me.locale).toBe('ZH_CN');
  expect((await sales.client.updateMyLocale({ locale: 'EN' })).updateMyLocale).toMatchObject({ id: sales.id, locale: 'EN' });
  expect((await server.admin.users({ role: 'SALES' })).users.find((u) => u.id === sales.id)?.locale).toBe('EN');

  const { updateMyNotificationSettings } = await sales.client.updateMyNotificationSettings({
    input: { imWebhookUrl: bot.url, preferences: [{ kind: 'PROMISE', delivery: 'OFF' }] },
  });
  expect(updateMyNotificationSettings).toMatchObject({ imWebhookUrl: bot.url });
  expect(updateMyNotificationSettings.preferences.find((p) => p.kind === 'PROMISE')?.delivery).toBe('OFF');

  const { sendTestNotification } = await sales.client.sendTestNotification({ channel: 'IM' });
  expect(sendTestNotification).toMatchObject({ kind: 'TEST', channel: 'IM', subject: '[Test] huikuan notification' });
  await bot.waitFor(1);
  expect(bot.accepted[0].body).toEqual({ text: '[Test] huikuan notification\nThis is a test notification: your channel works.' });
  await sales.client.sendTestNotification({ channel: 'EMAIL' });
  await until(
    'the test e-mail',
    () => mailsTo(sales.email),
    (list) => list.length === 1,
  );

  // An alarm goes to both channels, in English.
  await overdueReceivable(sales, 'INV-EN-1');
  await make.overdueScan(TODAY);
  await bot.waitFor(2);
  expect(bot.accepted[1].body.text).toMatch(/^\[Overdue\] 锦华贸易 INV-EN-1 is 20 days overdue\n/);
  const mail = await until(
    'the alarm e-mail',
    () => mailsTo(sales.email),
    (list) => list.length === 2,
  );
  expect(mail[1].subject).toBe('[Overdue] 锦华贸易 INV-EN-1 is 20 days overdue');

  // Alarms off: the next one is not sent.
  await sales.client.updateMyNotificationSettings({ input: { preferences: [{ kind: 'OVERDUE_ALARM', delivery: 'OFF' }], imWebhookUrl: '' } });
  await overdueReceivable(sales, 'INV-OFF-1');
  await make.overdueScan(TODAY);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  expect(mailsTo(sales.email)).toHaveLength(2);
  expect((await sales.client.notifications({})).notifications.totalCount).toBe(4);

  const noIm = await rejection(sales.client.sendTestNotification({ channel: 'IM' }));
  expect(noIm).toMatchObject({ code: 'BAD_USER_INPUT', field: 'channel', reason: 'NOTIFICATION_CHANNEL_NOT_SET_UP' });
});

test('ADMINs hear of a webhook endpoint that dead deliveries disabled', async () => {
  await server.admin.updateMyNotificationSettings({ input: { imWebhookUrl: bot.url } });
  const failing = await startWebhookReceiver();
  failing.respond = () => 500;
  const sales = await server.createUser('SALES');
  const customer = await make.customer({ ownerId: sales.id });
  const { createWebhookEndpoint } = await server.admin.createWebhookEndpoint({ url: failing.url, filter: { customerId: customer.id } });
  await make.receivable(customer.id, { issuedOn: addDays(TODAY, -60), dueOn: addDays(TODAY, -20) });
  const before = bot.accepted.length;
  await make.overdueScan(TODAY);
  await bot.waitFor(before + 1);
  const told = bot.accepted.slice(before).map((d) => d.body.text as string);
  expect(told).toEqual([expect.stringContaining(`Webhook 端点 ${failing.url} 连续 1 次投递失败，已被停用`)]);
  const adminId = (await server.admin.me()).me.id;
  await until(
    'the SENT row',
    async () => (await server.admin.notifications({ userId: adminId, status: 'SENT' })).notifications.nodes,
    (nodes) => nodes.some((n) => n.kind === 'WEBHOOK_ENDPOINT_DISABLED'),
  );
  expect((await server.admin.webhookEndpoints()).webhookEndpoints.find((e) => e.id === createWebhookEndpoint.endpoint.id)?.enabled).toBe(false);
  await failing.close();
});

test('everyone reads their own notifications; ADMIN reads anyone’s', async () => {
  const [one, two] = [await server.createUser('SALES'), await server.createUser('FINANCE')];
  await one.client.sendTestNotification({ channel: 'EMAIL' });
  const refused = await rejection(two.client.notifications({ userId: one.id }));
  expect(refused.code).toBe('FORBIDDEN');
  expect((await two.client.notifications({})).notifications.totalCount).toBe(0);
  const { notifications } = await server.admin.notifications({ userId: one.id });
  expect(notifications.nodes.map((n) => n.kind)).toEqual(['TEST']);
});

test('a feedback reminder arrives; who submitted, anonymously or not, gets none, and the reminder names nobody', async () => {
  const lead = await server.createUser('PROJECT_LEAD');
  const [late, anonymous] = [await server.createUser('SALES'), await server.createUser('SALES')];
  await anonymous.client.submitFeedbackReport({
    input: {
      period: 'WEEK',
      periodStart: TODAY,
      anonymous: true,
      hoursSaved: 2,
      solvedProblems: ['Fewer phone calls'],
      items: [{ kind: 'PROBLEM', category: 'PROCESS', severity: 'HIGH', text: 'Dunning letters print twice' }],
    },
  });
  const { sendFeedbackReminders } = await lead.client.sendFeedbackReminders({ period: 'WEEK', periodStart: TODAY });
  expect(sendFeedbackReminders.map((r) => r.user.id)).toContain(late.id);
  expect(sendFeedbackReminders.map((r) => r.user.id)).not.toContain(anonymous.id);

  const [mail] = await until(
    'the reminder',
    () => mailsTo(late.email),
    (list) => list.length > 0,
  );
  expect(mail.subject).toBe('【反馈提醒】请提交本周的使用反馈');
  expect(mail.text).toContain(`（${TODAY} 起）`);
  expect(mail.text).not.toContain(anonymous.email);
  expect(mailsTo(anonymous.email)).toHaveLength(0);
  // Delivered: the feedback area's record says so, and a new round may remind again.
  const [reminder] = await until(
    'the reminder marked delivered',
    async () => (await lead.client.feedbackCompliance({ period: 'WEEK', periodStart: TODAY })).feedbackCompliance.filter((e) => e.user.id === late.id),
    (entries) => entries.length === 1 && entries[0].lastRemindedAt !== null,
  );
  expect(reminder.submitted).toBe(false);
  const [stored] = await server.sql<{ delivered: boolean }>(`select delivered_at is not null as delivered from feedback_reminder where user_id = $1`, [
    late.id,
  ]);
  expect(stored.delivered).toBe(true);
});

test('a manager’s weekly digest carries the stored week’s figures, the change against last week, the worst customers and the scorecard movers', async () => {
  const manager = await server.createUser('MANAGER');
  // A salesperson scored in the week of 30 Nov only (no overdue: the goal is met), so the scorecards move.
  const newcomer = await server.createUser('SALES', '王芳');
  await manager.client.createGoal({
    input: { metric: 'OVERDUE_AMOUNT', target: '1000.00', period: 'WEEK', periodStart: '2026-11-30', scope: 'SALESPERSON', salespersonId: newcomer.id },
  });
  await manager.client.publishWeeklyAnalysis({ weekOf: '2026-11-23' });
  await manager.client.publishWeeklyAnalysis({ weekOf: '2026-11-30' });
  const mails = await until(
    'two digests',
    () => mailsTo(manager.email),
    (list) => list.length === 2,
  );
  const digest = mails.find((m) => m.subject === '【周报】2026-11-30 至 2026-12-06 回款分析')!;
  expect(digest).toBeDefined();

  const { weeklyAnalysis: week } = await manager.client.weeklyAnalysis({ weekOf: '2026-11-30' });
  const lines = digest.text!.trim().split('\n');
  expect(lines[0]).toBe(`应收余额：${week!.aging.total} CNY（较上周 ${week!.change!.outstanding}）`);
  expect(lines[1]).toBe(`逾期金额：${week!.overdueAmount} CNY，${week!.overdueCount} 笔（较上周 ${week!.change!.overdueAmount}）`);
  expect(lines[2]).toBe(`本周回款：${week!.received} CNY（较上周 ${week!.change!.received}）`);
  const moversAt = lines.indexOf('成绩变化最大的销售（较上周）：');
  const worst = week!.topOverdueCustomers.slice(0, 5);
  expect(worst.length).toBeGreaterThan(0);
  expect(lines.slice(5, moversAt)).toEqual(worst.map((o, i) => `${i + 1}. ${o.name}（${o.code}）逾期 ${o.overdueAmount} CNY，最长 ${o.maxDaysOverdue} 天`));

  // The movers, as the scorecards of the two weeks tell them: whose score changed, the largest change first, at most 3.
  const [{ scorecards: now }, { scorecards: before }] = [
    await manager.client.scorecards({ from: '2026-11-30', to: '2026-12-06' }),
    await manager.client.scorecards({ from: '2026-11-23', to: '2026-11-29' }),
  ];
  const percent = (score: number | null | undefined) => (score === null || score === undefined ? '–' : `${(score * 100).toFixed(1)}%`);
  const rank = (card: { score?: number | null; rank: number } | undefined) => (card?.score == null ? '–' : `第 ${card.rank} 名`);
  const expected = now
    .map((card) => ({ card, prior: before.find((b) => b.salesperson.id === card.salesperson.id) }))
    .filter(({ card, prior }) => card.score !== (prior?.score ?? null))
    .sort(
      (a, b) =>
        Math.abs((b.card.score ?? 0) - (b.prior?.score ?? 0)) - Math.abs((a.card.score ?? 0) - (a.prior?.score ?? 0)) ||
        Math.abs((b.prior?.rank ?? 0) - b.card.rank) - Math.abs((a.prior?.rank ?? 0) - a.card.rank) ||
        a.card.salesperson.name.localeCompare(b.card.salesperson.name),
    )
    .slice(0, 3)
    .map(({ card, prior }, i) => `${i + 1}. ${card.salesperson.name}：${rank(prior)} → ${rank(card)}，得分 ${percent(prior?.score)} → ${percent(card.score)}`);
  expect(expected).toContain('1. 王芳：– → 第 1 名，得分 – → 100.0%');
  expect(lines.slice(moversAt + 1)).toEqual(expected);
});

test('FINANCE hears of a large payment booked late, not of a small one', async () => {
  const [clerk, booker] = [await server.createUser('FINANCE'), await server.createUser('FINANCE')];
  const sales = await server.createUser('SALES');
  const customer = await make.customer({ ownerId: sales.id, name: '远洋物流' });
  // Money that arrived two weeks ago, booked today: past BOOKING_LAG_LIMIT_DAYS, so it carries a reason.
  const late = { receivedOn: '2026-11-23', method: 'BANK_TRANSFER' as const, lagReason: 'the bank statement came late' };
  await booker.client.recordPayment({ input: { customerId: customer.id, amount: '500.00', ...late } });
  await booker.client.recordPayment({ input: { customerId: customer.id, amount: '25000.00', ...late } });
  const [mail] = await until(
    'the late-booking e-mail',
    () => mailsTo(clerk.email),
    (list) => list.length > 0,
  );
  expect(mail.subject).toBe('【大额延迟入账】远洋物流 25000.00 CNY，延迟 10 个工作日');
  expect(mail.text).toContain('于 2026-11-23 到账，10 个工作日后才入账。原因：the bank statement came late');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(mailsTo(clerk.email)).toHaveLength(1);
  expect(mailsTo(booker.email).map((m) => m.subject)).toEqual([mail.subject]);
});

test('PROJECT_LEADs hear of an escalated proposal, by title only', async () => {
  const lead = await server.createUser('PROJECT_LEAD');
  const { feedbackReports } = await lead.client.feedbackReports({ first: 50 });
  const item = feedbackReports.edges.flatMap((e) => e.node.items).find((i) => i.text === 'Dunning letters print twice')!;
  const { createImprovementProposal } = await lead.client.createImprovementProposal({ input: { title: 'Print dunning letters once', itemIds: [item.id] } });
  await lead.client.escalateProposal({ id: createImprovementProposal.id, note: 'Needs a budget' });
  const [mail] = await until(
    'the escalation e-mail',
    () => mailsTo(lead.email),
    (list) => list.some((m) => m.subject?.startsWith('【提案已上报】')),
  );
  expect(mailsTo(lead.email).find((m) => m.subject?.startsWith('【提案已上报】'))?.subject).toBe('【提案已上报】Print dunning letters once');
  expect(mail).toBeDefined();
});

test('alarms as DAILY_DIGEST: nothing at the scan, ONE e-mail listing them at the digest, nothing at the next digest', async () => {
  const sales = await server.createUser('SALES', '赵敏');
  const { updateMyNotificationSettings } = await sales.client.updateMyNotificationSettings({
    input: { preferences: [{ kind: 'OVERDUE_ALARM', delivery: 'DAILY_DIGEST' }] },
  });
  expect(updateMyNotificationSettings.preferences.find((p) => p.kind === 'OVERDUE_ALARM')?.delivery).toBe('DAILY_DIGEST');
  await overdueReceivable(sales, 'INV-DG-1');
  await overdueReceivable(sales, 'INV-DG-2');
  await make.overdueScan(TODAY);

  const kept = await until(
    'two alarms kept for the digest',
    async () => (await sales.client.notifications({})).notifications.nodes,
    (nodes) => nodes.length === 2,
  );
  expect(kept.map((n) => n.status)).toEqual(['AWAITING_DIGEST', 'AWAITING_DIGEST']);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(mailsTo(sales.email)).toHaveLength(0);

  expect((await rejection(sales.client.sendDailyDigests({}))).code).toBe('FORBIDDEN');
  expect(await rejection(server.admin.sendDailyDigests({ userId: 'not-a-user' }))).toMatchObject({ code: 'NOT_FOUND', field: 'userId' });
  expect((await server.admin.sendDailyDigests({ userId: sales.id })).sendDailyDigests).toBe(1);
  const [mail] = await until(
    'the digest',
    () => mailsTo(sales.email),
    (list) => list.length > 0,
  );
  expect(mail.subject).toBe(`【每日摘要】${TODAY} 共 2 条通知`);
  // Each kept message, subject and text, in stream order (the scan's order of the two receivables).
  const listed = mail.text!.split('\n').filter((line) => /^\d+\. /.test(line));
  expect(listed.map((line) => line.slice(0, 3))).toEqual(['1. ', '2. ']);
  expect(listed.map((line) => line.slice(3)).sort()).toEqual(['【逾期提醒】锦华贸易 INV-DG-1 已逾期 20 天', '【逾期提醒】锦华贸易 INV-DG-2 已逾期 20 天']);
  expect(mail.text).toContain('的应收 INV-DG-1已逾期 20 天，未收金额 1200.00 CNY（截至 2026-12-07）。');
  const nodes = await until(
    'the digest SENT',
    async () => (await sales.client.notifications({})).notifications.nodes,
    (list) => list.some((n) => n.kind === 'DAILY_DIGEST' && n.status === 'SENT'),
  );
  const digest = nodes.find((n) => n.kind === 'DAILY_DIGEST')!;
  expect(nodes.filter((n) => n.kind === 'OVERDUE_ALARM').map((n) => [n.status, n.digestId])).toEqual([
    ['DIGESTED', digest.id],
    ['DIGESTED', digest.id],
  ]);

  // Nothing kept: the next digest sends nothing.
  expect((await server.admin.sendDailyDigests({})).sendDailyDigests).toBe(0);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(mailsTo(sales.email)).toHaveLength(1);

  const refused = await rejection(sales.client.updateMyNotificationSettings({ input: { preferences: [{ kind: 'DAILY_DIGEST', delivery: 'OFF' }] } }));
  expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.preferences.0.kind' });
});

test('a send its process never finished counts as an attempt: sent again by the sweep, DEAD at the eighth; a lost job is added again', async () => {
  const sales = await server.createUser('SALES');
  const once = (await sales.client.sendTestNotification({ channel: 'EMAIL' })).sendTestNotification;
  const often = (await sales.client.sendTestNotification({ channel: 'EMAIL' })).sendTestNotification;
  const lost = (await sales.client.sendTestNotification({ channel: 'EMAIL' })).sendTestNotification;
  await until(
    'the three test e-mails',
    () => mailsTo(sales.email),
    (list) => list.length === 3,
  );
  // `lost` failed two minutes ago and its retry's job is gone (a crash between the attempt and the job).
  await server.sql(
    `update notification set status = 'FAILED', next_attempt_at = now() - interval '2 minutes', sent_at = null,
            attempt_log = '[{"at": 0, "error": "451 try again later"}]'::jsonb
      where id = $1`,
    [lost.id],
  );
  await server.sql(`select graphile_worker.remove_job('notification:' || $1)`, [lost.id]);
  // As a process killed mid-send three minutes ago leaves them: `once` on its first attempt,
  // `often` on its eighth (seven interrupted before, as a message that crashes its sender).
  await server.sql(
    `update notification set status = 'SENDING', claimed_at = now() - interval '3 minutes', sent_at = null,
            attempts = case when id = $1 then 0 else 7 end,
            attempt_log = case when id = $1 then '[]'::jsonb
                               else (select jsonb_agg(jsonb_build_object('at', 0, 'error', 'interrupted earlier')) from generate_series(1, 7)) end
      where id in ($1, $2)`,
    [once.id, often.id],
  );
  // Another instance's start-up sweep finds them (as the minute's sweep of any instance would).
  const instance = await server.startInstance();
  try {
    const mine = await until(
      'the interrupted ones settled',
      async () => (await sales.client.notifications({})).notifications.nodes,
      (list) => ['SENT', 'DEAD', 'SENT'].every((status, i) => list.find((n) => n.id === [once.id, often.id, lost.id][i])?.status === status),
    );
    expect(mine.find((n) => n.id === lost.id)!.attempts.map((a) => a.error)).toEqual(['451 try again later', null]);
    const resent = mine.find((n) => n.id === once.id)!;
    expect(resent.attempts.map((a) => a.error)).toEqual(['interrupted: the process sending it stopped before recording the outcome', null]);
    const dead = mine.find((n) => n.id === often.id)!;
    expect(dead.attempts).toHaveLength(8);
    expect(dead.attempts[7].error).toBe('interrupted: the process sending it stopped before recording the outcome');
    expect(dead.sentAt).toBeNull();
    // `once` and `lost` went out again (at least once); `often` did not.
    await until(
      'the re-sent e-mails',
      () => mailsTo(sales.email),
      (list) => list.length === 5,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(mailsTo(sales.email)).toHaveLength(5);
  } finally {
    await instance.stop();
  }
});

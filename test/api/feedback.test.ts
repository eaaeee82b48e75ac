/**
 * The feedback loop, black-box through the SDK: a month of reports from five front-line
 * users (two anonymous), compliance and reminders, the summary checked against counts
 * made by hand, and the proposal path from items to a manager's decision with the
 * wrong roles refused.
 *
 * "Today" is 2026-12-03 (CLOCK_DATE); the month is November 2026, compared with October.
 */
import { FeedbackItemInput, SubmitFeedbackInput } from '../../sdk/index.js';
import { expectApiError, startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let s1: TestUser; // SALES, named
let s2: TestUser; // SALES, anonymous
let s3: TestUser; // SALES, named
let s4: TestUser; // SALES, does not submit
let f1: TestUser; // FINANCE, anonymous
let f2: TestUser; // FINANCE, named
let lead: TestUser;
let manager: TestUser;
let customerOfS1: string;

const NOV = '2026-11-01';
const OCT = '2026-10-01';
const month = (
  periodStart: string,
  anonymous: boolean,
  hoursSaved: number,
  items: FeedbackItemInput[],
  solvedProblems: string[] = [],
): SubmitFeedbackInput => ({
  period: 'MONTH',
  periodStart,
  anonymous,
  hoursSaved,
  items,
  solvedProblems,
});
const problem = (category: FeedbackItemInput['category'], severity: FeedbackItemInput['severity'], text: string): FeedbackItemInput => ({
  kind: 'PROBLEM',
  category,
  severity,
  text,
});

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: '2026-12-03' });
  [s1, s2, s3, s4, f1, f2, lead, manager] = await Promise.all([
    server.createUser('SALES', 'Alice Sales'),
    server.createUser('SALES', 'Bo Sales'),
    server.createUser('SALES', 'Chen Sales'),
    server.createUser('SALES', 'Dong Sales'),
    server.createUser('FINANCE', 'Fang Finance'),
    server.createUser('FINANCE', 'Gao Finance'),
    server.createUser('PROJECT_LEAD', 'Lead'),
    server.createUser('MANAGER', 'Boss'),
  ]);
  const { createCustomer } = await server.admin.createCustomer({
    input: { code: 'FB-1', name: 'Feedback Co', ownerId: s1.id, creditTermDays: 30, creditLimit: '1000.00' },
  });
  customerOfS1 = createCustomer.id;
}, 60_000);
afterAll(() => server.close());

const receipts: Record<string, { reportId: string; amendSecret: string | null }> = {};

describe('a month of front-line reports', () => {
  test('five users submit for November, two anonymously; two named reports for October', async () => {
    const submissions: [string, TestUser, SubmitFeedbackInput][] = [
      [
        's1',
        s1,
        month(
          NOV,
          false,
          4.5,
          [
            problem('SYSTEM', 'HIGH', 'Overdue alarm fires on public holidays'),
            { kind: 'SUGGESTION', category: 'USABILITY', severity: 'LOW', text: 'Add a bulk payment-notice form', customerId: customerOfS1 },
          ],
          ['Overdue alarms reach me the same day'],
        ),
      ],
      [
        's2',
        s2,
        month(NOV, true, 2, [
          problem('SYSTEM', 'CRITICAL', 'overdue alarm fires on public  holidays!'),
          problem('PROCESS', 'HIGH', 'Managers blame salespeople for late bookings by finance'),
        ]),
      ],
      ['s3', s3, month(NOV, false, 0, [problem('DATA', 'MEDIUM', 'Customer master data is duplicated')])],
      [
        'f1',
        f1,
        month(NOV, true, 6.25, [
          problem('DATA', 'HIGH', 'Customer master data is duplicated.'),
          problem('SYSTEM', 'MEDIUM', 'Overdue alarm fires on public holidays'),
          { kind: 'SUGGESTION', category: 'TRAINING', severity: 'LOW', text: 'Training on booking receivedOn dates' },
        ]),
      ],
      ['f2', f2, month(NOV, false, 3, [problem('PROCESS', 'MEDIUM', 'Month-end close takes too long')])],
      ['s1-oct', s1, month(OCT, false, 2, [problem('SYSTEM', 'HIGH', 'Overdue alarm fires on public holidays')])],
      ['f2-oct', f2, month(OCT, false, 1.5, [problem('DATA', 'LOW', 'Import of bank statements fails')])],
    ];
    for (const [key, user, input] of submissions) {
      const { submitFeedbackReport } = await user.client.submitFeedbackReport({ input });
      expect(submitFeedbackReport).toMatchObject({ anonymous: input.anonymous, amended: false, itemCount: input.items!.length });
      expect(submitFeedbackReport.amendSecret === null).toBe(!input.anonymous);
      receipts[key] = submitFeedbackReport;
    }
  });

  test('compliance lists every front-line user: five submitted for November, Dong did not', async () => {
    const { feedbackCompliance } = await lead.client.feedbackCompliance({ period: 'MONTH', periodStart: NOV });
    expect(feedbackCompliance.map((e) => [e.user.name, e.submitted])).toEqual([
      ['Alice Sales', true],
      ['Bo Sales', true],
      ['Chen Sales', true],
      ['Dong Sales', false],
      ['Fang Finance', true],
      ['Gao Finance', true],
    ]);
    const october = await manager.client.feedbackCompliance({ period: 'MONTH', periodStart: OCT });
    expect(october.feedbackCompliance.filter((e) => e.submitted).map((e) => e.user.name)).toEqual(['Alice Sales', 'Gao Finance']);
    // Weekly compliance is separate from monthly.
    const week = await lead.client.feedbackCompliance({ period: 'WEEK', periodStart: '2026-11-30' });
    expect(week.feedbackCompliance.filter((e) => e.submitted)).toHaveLength(0);
  });

  test('reminders are stored as events for those who have not submitted, once until delivered', async () => {
    const { sendFeedbackReminders } = await lead.client.sendFeedbackReminders({ period: 'MONTH', periodStart: NOV });
    expect(sendFeedbackReminders.map((r) => [r.user.id, r.deliveredAt])).toEqual([[s4.id, null]]);
    const again = await lead.client.sendFeedbackReminders({ period: 'MONTH', periodStart: NOV });
    expect(again.sendFeedbackReminders).toEqual([]);
    const [stored] = await server.sql<{ n: number }>(
      `select count(*)::int as n from feedback_reminder where period = 'MONTH' and period_start = $1 and delivered_at is null`,
      [NOV],
    );
    expect(stored.n).toBe(1);
    const { feedbackCompliance } = await lead.client.feedbackCompliance({ period: 'MONTH', periodStart: NOV });
    expect(feedbackCompliance.find((e) => e.user.id === s4.id)!.lastRemindedAt).not.toBeNull();
    expect(feedbackCompliance.filter((e) => e.lastRemindedAt !== null)).toHaveLength(1);
    await expectApiError(s1.client.sendFeedbackReminders({ period: 'MONTH', periodStart: NOV }), 'FORBIDDEN');
  });

  test('the summary matches the hand counts', async () => {
    const { feedbackSummary: s } = await lead.client.feedbackSummary({ from: NOV, to: '2026-11-30' });
    // Hand counts: 5 reports (2 anonymous), 4.5 + 2 + 0 + 6.25 + 3 hours, 2+2+1+3+1 items of which 2 suggestions.
    expect(s.totals).toEqual({
      from: NOV,
      to: '2026-11-30',
      reportCount: 5,
      anonymousReportCount: 2,
      itemCount: 9,
      problemCount: 7,
      suggestionCount: 2,
      hoursSaved: 15.75,
    });
    expect(s.previous).toEqual({
      from: OCT,
      to: '2026-10-31',
      reportCount: 2,
      anonymousReportCount: 0,
      itemCount: 2,
      problemCount: 2,
      suggestionCount: 0,
      hoursSaved: 3.5,
    });
    expect(s.change).toEqual({ reportCount: 3, itemCount: 7, problemCount: 5, hoursSaved: 12.25 });
    expect(s.byCategory).toEqual([
      { category: 'DATA', count: 2, previousCount: 1, change: 1 },
      { category: 'PROCESS', count: 2, previousCount: 0, change: 2 },
      { category: 'SYSTEM', count: 3, previousCount: 1, change: 2 },
      { category: 'TRAINING', count: 1, previousCount: 0, change: 1 },
      { category: 'USABILITY', count: 1, previousCount: 0, change: 1 },
      { category: 'OTHER', count: 0, previousCount: 0, change: 0 },
    ]);
    expect(s.bySeverity).toEqual([
      { severity: 'LOW', count: 2 },
      { severity: 'MEDIUM', count: 3 },
      { severity: 'HIGH', count: 3 },
      { severity: 'CRITICAL', count: 1 },
    ]);
    expect(s.byStatus.find((x) => x.status === 'SUBMITTED')!.count).toBe(9);
    expect(s.recurringProblems.map(({ itemIds, ...rest }) => ({ ...rest, items: itemIds.length }))).toEqual([
      { category: 'SYSTEM', text: 'Overdue alarm fires on public holidays', occurrences: 3, reportCount: 3, highestSeverity: 'CRITICAL', items: 3 },
      { category: 'DATA', text: 'Customer master data is duplicated', occurrences: 2, reportCount: 2, highestSeverity: 'HIGH', items: 2 },
    ]);
    expect(s.proposalsByStatus.every((p) => p.count === 0)).toBe(true);
    // The October item on holidays is in the previous window, not a recurrence of November.
    const october = await lead.client.feedbackSummary({ from: OCT, to: '2026-10-31' });
    expect(october.feedbackSummary.recurringProblems).toEqual([]);
    const bad = lead.client.feedbackSummary({ from: '2026-11-30', to: NOV });
    await expectApiError(bad, 'BAD_USER_INPUT', 'to');
  });

  test('lists filter by period, category, status and severity', async () => {
    const all = await lead.client.feedbackReports({ first: 50 });
    expect(all.feedbackReports.totalCount).toBe(7);
    const nov = await lead.client.feedbackReports({ filter: { period: 'MONTH', periodStart: NOV } });
    expect(nov.feedbackReports.totalCount).toBe(5);
    const data = await lead.client.feedbackReports({ filter: { periodStart: NOV, category: ['DATA'] } });
    expect(data.feedbackReports.totalCount).toBe(2); // s3 and f1
    const critical = await lead.client.feedbackReports({ filter: { severity: ['CRITICAL'] } });
    expect(critical.feedbackReports.edges.map((e) => e.node.id)).toEqual([receipts.s2.reportId]);
    const highData = await lead.client.feedbackReports({ filter: { category: ['DATA'], severity: ['HIGH'] } });
    expect(highData.feedbackReports.edges.map((e) => e.node.id)).toEqual([receipts.f1.reportId]);
    const anonymous = await manager.client.feedbackReports({ filter: { anonymous: true } });
    expect(anonymous.feedbackReports.totalCount).toBe(2);
    const october = await lead.client.feedbackReports({ filter: { to: '2026-10-31' } });
    expect(october.feedbackReports.totalCount).toBe(2);
    // Pages of two walk all seven without repeats.
    const seen: string[] = [];
    let after: string | null | undefined;
    do {
      const page = await lead.client.feedbackReports({ first: 2, after });
      seen.push(...page.feedbackReports.edges.map((e) => e.node.id));
      after = page.feedbackReports.pageInfo.hasNextPage ? page.feedbackReports.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(7);
  });

  test('SALES and FINANCE read only their own named reports; a linked customer shows to who may see it', async () => {
    const mine = await s1.client.feedbackReports({});
    expect(mine.feedbackReports.edges.map((e) => e.node.author!.id)).toEqual([s1.id, s1.id]);
    const novReport = mine.feedbackReports.edges[0].node;
    expect(novReport).toMatchObject({ periodStart: NOV, periodEnd: '2026-11-30', submittedOn: '2026-12-03', hoursSaved: 4.5 });
    expect(novReport.items[1].customer).toEqual({ id: customerOfS1, code: 'FB-1' });
    // The project lead reads the report but not the ledger.
    const asLead = await lead.client.feedbackReports({ filter: { periodStart: NOV, category: ['USABILITY'] } });
    expect(asLead.feedbackReports.edges[0].node.items[1].customer).toBeNull();
    const anonymousAuthor = await s2.client.feedbackReports({});
    expect(anonymousAuthor.feedbackReports.totalCount).toBe(0);
    await expectApiError(s1.client.feedbackSummary({ from: NOV, to: '2026-11-30' }), 'FORBIDDEN');
    await expectApiError(f1.client.feedbackCompliance({ period: 'MONTH', periodStart: NOV }), 'FORBIDDEN');
    await expectApiError(s1.client.improvementProposals({}), 'FORBIDDEN');
    await expectApiError(lead.client.submitFeedbackReport({ input: month(NOV, false, 1, []) }), 'FORBIDDEN');
  });
});

describe('from items to a manager decision', () => {
  let holidayItems: string[];
  let dataItems: string[];
  let blameItem: string;
  let closeItem: string;
  let alarmProposal: string;
  let dataProposal: string;

  beforeAll(async () => {
    const { feedbackSummary } = await lead.client.feedbackSummary({ from: NOV, to: '2026-11-30' });
    holidayItems = feedbackSummary.recurringProblems[0].itemIds;
    dataItems = feedbackSummary.recurringProblems[1].itemIds;
    const reports = await lead.client.feedbackReports({ filter: { periodStart: NOV, category: ['PROCESS'] } });
    const items = reports.feedbackReports.edges.flatMap((e) => e.node.items).filter((i) => i.category === 'PROCESS');
    blameItem = items.find((i) => i.text.startsWith('Managers blame'))!.id;
    closeItem = items.find((i) => i.text.startsWith('Month-end'))!.id;
  });

  test('triage: IN_REVIEW, REJECTED with a note; wrong states and roles refused, nothing changed', async () => {
    const { triageFeedbackItem } = await lead.client.triageFeedbackItem({ id: blameItem, status: 'IN_REVIEW', note: 'Looking into it' });
    expect(triageFeedbackItem).toMatchObject({
      status: 'IN_REVIEW',
      history: [{ fromStatus: 'SUBMITTED', toStatus: 'IN_REVIEW', note: 'Looking into it', by: { id: lead.id } }],
    });
    await expectApiError(lead.client.triageFeedbackItem({ id: closeItem, status: 'REJECTED' }), 'BAD_USER_INPUT', 'note');
    await expectApiError(lead.client.triageFeedbackItem({ id: closeItem, status: 'ESCALATED' }), 'BAD_USER_INPUT', 'status');
    await expectApiError(lead.client.triageFeedbackItem({ id: closeItem, status: 'RESOLVED' }), 'CONFLICT', 'status');
    await expectApiError(s1.client.triageFeedbackItem({ id: closeItem, status: 'IN_REVIEW' }), 'FORBIDDEN');
    await expectApiError(manager.client.triageFeedbackItem({ id: closeItem, status: 'IN_REVIEW' }), 'FORBIDDEN');
    await expectApiError(lead.client.triageFeedbackItem({ id: '00000000-0000-4000-8000-000000000000', status: 'IN_REVIEW' }), 'NOT_FOUND', 'id');
    const [unchanged] = await server.sql<{ status: string; steps: number }>(
      'select status, (select count(*)::int from feedback_item_step where item_id = $1) as steps from feedback_item where id = $1',
      [closeItem],
    );
    expect(unchanged).toEqual({ status: 'SUBMITTED', steps: 0 });
    const rejected = await lead.client.triageFeedbackItem({ id: closeItem, status: 'REJECTED', note: 'Outside the system' });
    expect(rejected.triageFeedbackItem.status).toBe('REJECTED');
  });

  test('the lead groups the two recurring problems into two proposals', async () => {
    await expectApiError(manager.client.createImprovementProposal({ input: { title: 'x', itemIds: holidayItems } }), 'FORBIDDEN');
    await expectApiError(s1.client.createImprovementProposal({ input: { title: 'x', itemIds: holidayItems } }), 'FORBIDDEN');
    await expectApiError(lead.client.createImprovementProposal({ input: { title: ' ', itemIds: holidayItems } }), 'BAD_USER_INPUT', 'input.title');
    await expectApiError(lead.client.createImprovementProposal({ input: { title: 'x', itemIds: [] } }), 'BAD_USER_INPUT', 'input.itemIds');
    await expectApiError(
      lead.client.createImprovementProposal({ input: { title: 'x', itemIds: [holidayItems[0], closeItem] } }),
      'CONFLICT',
      'input.itemIds.1',
    );
    const [{ n: before }] = await server.sql<{ n: number }>('select count(*)::int as n from improvement_proposal');
    expect(before).toBe(0);

    const alarm = await lead.client.createImprovementProposal({
      input: { title: 'Respect the holiday calendar in overdue alarms', description: 'Three reports', itemIds: holidayItems },
    });
    expect(alarm.createImprovementProposal).toMatchObject({ status: 'DRAFT', itemCount: 3, createdBy: { id: lead.id } });
    alarmProposal = alarm.createImprovementProposal.id;
    const data = await lead.client.createImprovementProposal({
      input: { title: 'Clean up customer master data', itemIds: [...dataItems, blameItem] },
    });
    dataProposal = data.createImprovementProposal.id;
    expect(data.createImprovementProposal.items.map((i) => i.status)).toEqual(['IN_REVIEW', 'IN_REVIEW', 'IN_REVIEW']);
    await expectApiError(lead.client.createImprovementProposal({ input: { title: 'again', itemIds: [holidayItems[0]] } }), 'CONFLICT', 'input.itemIds.0');
    await expectApiError(lead.client.triageFeedbackItem({ id: blameItem, status: 'REJECTED', note: 'no' }), 'CONFLICT');
  });

  test('escalation and decision: only the lead escalates, only a manager decides, with a rationale', async () => {
    await expectApiError(manager.client.decideProposal({ id: alarmProposal, decision: 'ADOPT', rationale: 'yes' }), 'CONFLICT', 'id');
    await expectApiError(f1.client.escalateProposal({ id: alarmProposal }), 'FORBIDDEN');
    await expectApiError(manager.client.escalateProposal({ id: alarmProposal }), 'FORBIDDEN');
    const escalated = await lead.client.escalateProposal({ id: alarmProposal, note: 'Costs us credibility every holiday' });
    expect(escalated.escalateProposal).toMatchObject({
      status: 'ESCALATED',
      escalatedBy: { id: lead.id },
      escalationNote: 'Costs us credibility every holiday',
    });
    expect(escalated.escalateProposal.items.every((i) => i.status === 'ESCALATED')).toBe(true);
    await expectApiError(lead.client.escalateProposal({ id: alarmProposal }), 'CONFLICT', 'id');
    await lead.client.escalateProposal({ id: dataProposal });

    await expectApiError(lead.client.decideProposal({ id: alarmProposal, decision: 'ADOPT', rationale: 'yes' }), 'FORBIDDEN');
    await expectApiError(s1.client.decideProposal({ id: alarmProposal, decision: 'ADOPT', rationale: 'yes' }), 'FORBIDDEN');
    await expectApiError(manager.client.decideProposal({ id: alarmProposal, decision: 'ADOPT', rationale: '  ' }), 'BAD_USER_INPUT', 'rationale');
    const adopted = await manager.client.decideProposal({ id: alarmProposal, decision: 'ADOPT', rationale: 'Use the business calendar; ship in December' });
    expect(adopted.decideProposal).toMatchObject({ status: 'ADOPTED', decision: 'ADOPT', decidedBy: { id: manager.id } });
    expect(adopted.decideProposal.items.every((i) => i.status === 'DECIDED')).toBe(true);
    const deferred = await manager.client.decideProposal({ id: dataProposal, decision: 'DEFER', rationale: 'After the ERP migration' });
    expect(deferred.decideProposal.status).toBe('DEFERRED');
    await expectApiError(manager.client.decideProposal({ id: dataProposal, decision: 'ADOPT', rationale: 'again' }), 'CONFLICT', 'id');

    const { improvementProposals } = await manager.client.improvementProposals({ status: 'ADOPTED' });
    expect(improvementProposals.map((p) => p.id)).toEqual([alarmProposal]);
    const all = await lead.client.improvementProposals({});
    expect(all.improvementProposals).toHaveLength(2);
  });

  test('the lead resolves an adopted item; the named author follows its progress', async () => {
    const mine = await s1.client.feedbackReports({ filter: { periodStart: NOV } });
    const item = mine.feedbackReports.edges[0].node.items.find((i) => i.category === 'SYSTEM')!;
    expect(holidayItems).toContain(item.id);
    const resolved = await lead.client.triageFeedbackItem({ id: item.id, status: 'RESOLVED', note: 'Shipped in 1.4' });
    expect(resolved.triageFeedbackItem.status).toBe('RESOLVED');

    const after = await s1.client.feedbackReports({ filter: { periodStart: NOV } });
    const progress = after.feedbackReports.edges[0].node.items.find((i) => i.id === item.id)!;
    expect(progress.status).toBe('RESOLVED');
    expect(progress.proposal).toMatchObject({ id: alarmProposal, status: 'ADOPTED', decision: 'ADOPT' });
    expect(progress.history.map((h) => [h.fromStatus, h.toStatus, h.by.id])).toEqual([
      ['SUBMITTED', 'IN_REVIEW', lead.id],
      ['IN_REVIEW', 'ESCALATED', lead.id],
      ['ESCALATED', 'DECIDED', manager.id],
      ['DECIDED', 'RESOLVED', lead.id],
    ]);
    expect(progress.history[2].note).toBe('ADOPT: Use the business calendar; ship in December');
    // Through the proposal the author sees only their own item, not the other reports'.
    const viaProposal = await s1.client.request<{
      feedbackReports: { nodes: { items: { proposal: { itemCount: number; items: { id: string }[] } | null }[] }[] };
    }>(`{ feedbackReports(filter: { periodStart: "${NOV}" }) { nodes { items { proposal { itemCount items { id } } } } } }`);
    const proposal = viaProposal.feedbackReports.nodes[0].items.find((i) => i.proposal)!.proposal!;
    expect(proposal).toEqual({ itemCount: 1, items: [{ id: item.id }] });
  });

  test('the summary counts statuses and proposals after the decisions', async () => {
    const { feedbackSummary: s } = await manager.client.feedbackSummary({ from: NOV, to: '2026-11-30' });
    // Hand count: alarm proposal 3 items (2 DECIDED, 1 RESOLVED), data proposal 3 DECIDED,
    // month-end close REJECTED, two suggestions still SUBMITTED.
    expect(s.byStatus).toEqual([
      { status: 'SUBMITTED', count: 2 },
      { status: 'IN_REVIEW', count: 0 },
      { status: 'ESCALATED', count: 0 },
      { status: 'DECIDED', count: 5 },
      { status: 'RESOLVED', count: 1 },
      { status: 'REJECTED', count: 1 },
    ]);
    expect(s.proposalsByStatus).toEqual([
      { status: 'DRAFT', count: 0 },
      { status: 'ESCALATED', count: 0 },
      { status: 'ADOPTED', count: 1 },
      { status: 'REJECTED', count: 0 },
      { status: 'DEFERRED', count: 1 },
    ]);
    const decided = await lead.client.feedbackReports({ filter: { periodStart: NOV, status: ['DECIDED'] } });
    // s2, s3 and f1; Alice's only decided item has been resolved.
    expect(decided.feedbackReports.totalCount).toBe(3);
  });

  test('a late report for the month rewrites the period without disturbing the workflow', async () => {
    const before = await server.sql(
      'select id, status, proposal_id, (select count(*)::int from feedback_item_step s where s.item_id = i.id) as steps from feedback_item i order by id',
    );
    const { submitFeedbackReport } = await s4.client.submitFeedbackReport({ input: month(NOV, true, 1, [problem('OTHER', 'LOW', 'Late but here')]) });
    expect(submitFeedbackReport.amended).toBe(false);
    const after = await server.sql(
      'select id, status, proposal_id, (select count(*)::int from feedback_item_step s where s.item_id = i.id) as steps from feedback_item i where i.report_id <> $1 order by id',
      [submitFeedbackReport.reportId],
    );
    expect(after).toEqual(before);
    const { feedbackCompliance } = await lead.client.feedbackCompliance({ period: 'MONTH', periodStart: NOV });
    expect(feedbackCompliance.every((e) => e.submitted)).toBe(true);
    const { feedbackSummary } = await lead.client.feedbackSummary({ from: NOV, to: '2026-11-30' });
    expect(feedbackSummary.totals).toMatchObject({ reportCount: 6, anonymousReportCount: 3, itemCount: 10, hoursSaved: 16.75 });
  });
});

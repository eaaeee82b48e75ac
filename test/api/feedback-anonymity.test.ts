/**
 * Anonymity that holds: every read path tried as ADMIN, MANAGER and PROJECT_LEAD answers
 * no author for anonymous reports (nor anything that names the author), the schema has no
 * column linking a report to a user, PostgreSQL's system columns do not order the period's
 * rows by submission, and the one-report-per-period rules (amend with the receipt secret,
 * named re-submission amends) refuse alike without naming a report.
 */
import { SubmitFeedbackInput } from '../../sdk/index.js';
import { expectApiError, startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let hidden: TestUser; // SALES, submits anonymously
let hidden2: TestUser; // FINANCE, submits anonymously
let named: TestUser; // SALES, submits named
let lead: TestUser;
let manager: TestUser;
let anonymousReceipt: { reportId: string; amendSecret: string | null };
let anonymousReceipt2: { reportId: string; amendSecret: string | null };
let namedReceipt: { reportId: string };

const WEEK = '2026-11-23'; // a Monday
const report = (anonymous: boolean, text: string, extra: Partial<SubmitFeedbackInput> = {}): SubmitFeedbackInput => ({
  period: 'WEEK',
  periodStart: WEEK,
  anonymous,
  hoursSaved: 1.5,
  solvedProblems: ['Fewer phone calls'],
  items: [{ kind: 'PROBLEM', category: 'PROCESS', severity: 'HIGH', text }],
  ...extra,
});

/** Every path from the root fields to a report and its author. */
const EVERY_PATH = /* GraphQL */ `
  query everything($week: LocalDate!) {
    # A page of 50 (there are 3 reports): 200, with proposal items nested in items, is over a manager's cost budget.
    feedbackReports(first: 50) {
      totalCount
      edges {
        cursor
        node {
          id
          anonymous
          author {
            id
            name
            email
          }
          submittedOn
          amendedOn
          periodStart
          items {
            id
            text
            status
            proposal {
              id
              items {
                id
                report {
                  id
                  author {
                    id
                    name
                    email
                  }
                }
              }
              createdBy {
                id
              }
              escalatedBy {
                id
              }
              decidedBy {
                id
              }
            }
            history {
              by {
                id
              }
            }
            report {
              id
              author {
                id
                email
              }
            }
          }
        }
      }
    }
    anonymousOnly: feedbackReports(filter: { anonymous: true }) {
      totalCount
      nodes {
        id
        author {
          id
        }
      }
    }
    byCategory: feedbackReports(filter: { category: [PROCESS], status: [SUBMITTED, IN_REVIEW, ESCALATED, DECIDED], severity: [HIGH] }) {
      totalCount
      nodes {
        id
        author {
          id
        }
      }
    }
    improvementProposals {
      id
      items {
        id
        report {
          id
          anonymous
          author {
            id
            email
          }
        }
      }
      createdBy {
        id
      }
    }
    feedbackSummary(from: $week, to: $week) {
      totals {
        reportCount
        anonymousReportCount
      }
      recurringProblems {
        text
        itemIds
      }
    }
  }
`;

interface Everything {
  feedbackReports: { totalCount: number; edges: { node: { id: string; anonymous: boolean; author: { id: string } | null; submittedOn: string | null } }[] };
  anonymousOnly: { totalCount: number; nodes: { id: string; author: unknown }[] };
}

beforeAll(async () => {
  // info: the per-operation log lines are what an operator reads (see 'the storage and the logs hold no link').
  server = await startTestServer({ CLOCK_DATE: '2026-12-03', LOG_LEVEL: 'info' });
  [hidden, hidden2, named, lead, manager] = await Promise.all([
    server.createUser('SALES', 'Hidden Hu'),
    server.createUser('FINANCE', 'Hidden Han'),
    server.createUser('SALES', 'Named Ning'),
    server.createUser('PROJECT_LEAD', 'Lead Li'),
    server.createUser('MANAGER', 'Manager Ma'),
  ]);
  anonymousReceipt = (await hidden.client.submitFeedbackReport({ input: report(true, 'My manager blames me for finance delays') })).submitFeedbackReport;
  namedReceipt = (await named.client.submitFeedbackReport({ input: report(false, 'Dunning letters print twice') })).submitFeedbackReport;
  anonymousReceipt2 = (await hidden2.client.submitFeedbackReport({ input: report(true, 'Bookings are backdated under pressure') })).submitFeedbackReport;
}, 60_000);
afterAll(() => server.close());

/** Every line pointer of a table, dead or alive, as pageinspect reads it from the pages. */
async function tuplesOf(table: string): Promise<{ lp_flags: number; t_xmin: string | null; t_xmax: string | null }[]> {
  return server.sql(
    `select p.lp_flags, p.t_xmin::text as t_xmin, p.t_xmax::text as t_xmax
       from generate_series(0, (pg_relation_size(cast($1 as regclass)) / current_setting('block_size')::int)::int - 1) as b,
            lateral heap_page_items(get_raw_page(cast($1 as text), b)) as p`,
    [table],
  );
}

const SUBMISSION_TABLES = ['feedback_report', 'feedback_item', 'feedback_compliance', 'feedback_report_author'];

// Runs before the workflow below touches any item: only the three submissions have written.
describe('the storage and the logs hold no link', () => {
  test("no row version, live or dead, pairs an anonymous report with its author's compliance row", async () => {
    await server.sql('create extension if not exists pageinspect');
    // The VACUUM runs after the submission commits: poll briefly.
    const deadline = Date.now() + 10_000;
    let pages: Record<string, Awaited<ReturnType<typeof tuplesOf>>> = {};
    for (;;) {
      pages = Object.fromEntries(await Promise.all(SUBMISSION_TABLES.map(async (t) => [t, await tuplesOf(t)] as const)));
      const counts = await Promise.all(SUBMISSION_TABLES.map((t) => server.sql<{ n: number }>(`select count(*)::int as n from ${t}`)));
      // Clean: only unused line pointers and as many tuples as the table has visible rows.
      const clean = SUBMISSION_TABLES.every(
        (t, i) => pages[t].every((l) => l.lp_flags === 0 || l.lp_flags === 1) && pages[t].filter((l) => l.lp_flags === 1).length === counts[i][0].n,
      );
      if (clean || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const table of SUBMISSION_TABLES) {
      const lines = pages[table];
      // No dead version is left in the pages: no dead or redirect line pointer, and every
      // tuple is a visible row (a deleted version would be a tuple too many).
      expect({ table, dead: lines.filter((l) => l.lp_flags === 2 || l.lp_flags === 3) }).toEqual({ table, dead: [] });
      const [{ n }] = await server.sql<{ n: number }>(`select count(*)::int as n from ${table}`);
      expect(lines.filter((l) => l.lp_flags === 1)).toHaveLength(n);
    }
    expect(pages.feedback_report.filter((l) => l.lp_flags === 1)).toHaveLength(3);
    expect(pages.feedback_compliance.filter((l) => l.lp_flags === 1)).toHaveLength(3);
    // Every tuple of every submission table carries the same transaction id (the last
    // submission's rewrite of the week): no xmin singles out one person's compliance row
    // and one report, the attack that named 3 of 3 anonymous authors before.
    const xmins = new Set(Object.values(pages).flatMap((lines) => lines.filter((l) => l.lp_flags === 1).map((l) => l.t_xmin)));
    expect(xmins.size).toBe(1);
    // xmax only holds that same transaction's row locks (its foreign key checks), never another submission's id.
    const xmaxes = new Set(Object.values(pages).flatMap((lines) => lines.filter((l) => l.lp_flags === 1 && l.t_xmax !== '0').map((l) => l.t_xmax)));
    expect([...xmaxes].every((x) => xmins.has(x))).toBe(true);
    const [{ n_dead_tup }] = await server.sql<{ n_dead_tup: number }>(
      `select coalesce(sum(n_dead_tup), 0)::int as n_dead_tup from pg_stat_user_tables where relname = any($1)`,
      [SUBMISSION_TABLES],
    );
    expect(n_dead_tup).toBe(0);
  });

  test('the log names no submitter of a report: submitFeedbackReport is not logged at all', () => {
    const lines = server
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; operation?: string; userId?: string; requestId?: string });
    const operations = lines.filter((l) => l.msg === 'graphql operation');
    // The log works and names users: the admin's createUser operations are there with the admin's id.
    expect(operations.some((l) => l.operation === 'createUser' && typeof l.userId === 'string')).toBe(true);
    expect(server.logs()).not.toContain('submitFeedbackReport');
    for (const user of [hidden, hidden2, named]) expect(server.logs()).not.toContain(user.id);
  });
});

describe('no query path reveals who wrote an anonymous report', () => {
  beforeAll(async () => {
    // Put anonymous items through the workflow so proposals and histories exist too.
    const { feedbackReports } = await lead.client.feedbackReports({ filter: { anonymous: true } });
    const itemIds = feedbackReports.edges.flatMap((e) => e.node.items.map((i) => i.id));
    const { createImprovementProposal } = await lead.client.createImprovementProposal({ input: { title: 'Blame-free booking', itemIds } });
    await lead.client.escalateProposal({ id: createImprovementProposal.id });
  });

  for (const role of ['ADMIN', 'MANAGER', 'PROJECT_LEAD'] as const) {
    test(`as ${role}`, async () => {
      const client = role === 'ADMIN' ? server.admin : role === 'MANAGER' ? manager.client : lead.client;
      const data = await client.request<Everything, { week: string }>(EVERY_PATH, { week: WEEK });
      const anonymous = data.feedbackReports.edges.filter((e) => e.node.anonymous);
      expect(anonymous.map((e) => e.node.id).sort()).toEqual([anonymousReceipt.reportId, anonymousReceipt2.reportId].sort());
      expect(anonymous.every((e) => e.node.author === null && e.node.submittedOn === null)).toBe(true);
      expect(data.anonymousOnly.nodes.every((n) => n.author === null)).toBe(true);
      expect(data.feedbackReports.edges.find((e) => e.node.id === namedReceipt.reportId)!.node.author).toMatchObject({ id: named.id });
      // Nothing anywhere in the answer names the anonymous authors.
      const text = JSON.stringify(data);
      for (const user of [hidden, hidden2]) {
        expect(text).not.toContain(user.id);
        expect(text).not.toContain(user.email);
      }
      expect(text).not.toContain('Hidden');
    });
  }

  test('order within a period follows the random id, not the order of submission', async () => {
    const { feedbackReports } = await lead.client.feedbackReports({ filter: { periodStart: WEEK } });
    const ids = feedbackReports.edges.map((e) => e.node.id);
    expect(ids).toEqual([...ids].sort().reverse());
  });

  test('compliance says who submitted, never which report', async () => {
    const { feedbackCompliance } = await server.admin.feedbackCompliance({ period: 'WEEK', periodStart: WEEK });
    expect(
      feedbackCompliance
        .filter((e) => e.submitted)
        .map((e) => e.user.id)
        .sort(),
    ).toEqual([hidden.id, hidden2.id, named.id].sort());
    const raw = await server.admin.request<unknown>(`{ feedbackCompliance(period: WEEK, periodStart: "${WEEK}") { submitted user { id } } }`);
    expect(JSON.stringify(raw)).not.toContain(anonymousReceipt.reportId);
  });

  test('the author cannot list their own anonymous report either', async () => {
    const { feedbackReports } = await hidden.client.feedbackReports({});
    expect(feedbackReports.totalCount).toBe(0);
  });
});

describe('the database holds no link', () => {
  test('no column of the report tables links to a user, and none is a timestamp', async () => {
    const columns = await server.sql<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'public' and table_name in ('feedback_report', 'feedback_item', 'feedback_compliance')
        order by table_name, ordinal_position`,
    );
    const report = columns.filter((c) => c.table_name === 'feedback_report');
    const item = columns.filter((c) => c.table_name === 'feedback_item');
    expect(report.length).toBeGreaterThan(5);
    for (const c of [...report, ...item]) {
      expect(c.column_name).not.toMatch(/user|author|_by|created|updated|submitter/);
      expect(c.data_type).not.toMatch(/timestamp|time/);
    }
    // The only uuid columns: the report's id; the item's id, report, linked customer/receivable and proposal.
    expect(report.filter((c) => c.data_type === 'uuid').map((c) => c.column_name)).toEqual(['id']);
    expect(item.filter((c) => c.data_type === 'uuid').map((c) => c.column_name)).toEqual(['id', 'report_id', 'customer_id', 'receivable_id', 'proposal_id']);
    // The compliance record: a person and a period, nothing else (no id, no date of submission).
    expect(columns.filter((c) => c.table_name === 'feedback_compliance').map((c) => c.column_name)).toEqual(['user_id', 'period', 'period_start']);

    const foreignKeys = await server.sql<{ from_table: string; to_table: string }>(
      `select distinct tc.table_name as from_table, ccu.table_name as to_table
         from information_schema.table_constraints tc
         join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
        where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = 'public'
          and (tc.table_name like 'feedback%' or ccu.table_name like 'feedback%')
        order by 1, 2`,
    );
    // Reports and items refer to no user; only the named-author table joins a report to a
    // user, and its constraint admits named reports only; compliance refers to no report.
    expect(foreignKeys).toEqual([
      { from_table: 'feedback_compliance', to_table: 'app_user' },
      { from_table: 'feedback_item', to_table: 'customer' },
      { from_table: 'feedback_item', to_table: 'feedback_report' },
      { from_table: 'feedback_item', to_table: 'improvement_proposal' },
      { from_table: 'feedback_item', to_table: 'receivable' },
      { from_table: 'feedback_item_step', to_table: 'app_user' },
      { from_table: 'feedback_item_step', to_table: 'feedback_item' },
      { from_table: 'feedback_reminder', to_table: 'app_user' },
      { from_table: 'feedback_report_author', to_table: 'app_user' },
      { from_table: 'feedback_report_author', to_table: 'feedback_report' },
    ]);
    const [guard] = await server.sql<{ def: string }>(
      `select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'feedback_report_author_anonymous_check'`,
    );
    expect(guard.def).toBe('CHECK ((NOT anonymous))');
    const [{ n }] = await server.sql<{ n: number }>(
      'select count(*)::int as n from feedback_report_author a join feedback_report r on r.id = a.report_id where r.anonymous',
    );
    expect(n).toBe(0);
  });

  test('the anonymous report keeps no date and only a hash of its secret', async () => {
    const [row] = await server.sql<{ submitted_on: string | null; amended_on: string | null; amend_secret_hash: string }>(
      'select submitted_on::text as submitted_on, amended_on::text as amended_on, amend_secret_hash from feedback_report where id = $1',
      [anonymousReceipt.reportId],
    );
    expect(row.submitted_on).toBeNull();
    expect(row.amended_on).toBeNull();
    expect(row.amend_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.amend_secret_hash).not.toContain(anonymousReceipt.amendSecret);
    const dump = JSON.stringify(await server.sql('select * from feedback_report'));
    expect(dump).not.toContain(anonymousReceipt.amendSecret);
  });

  test("system columns: all of the period's reports and compliance rows carry one transaction id", async () => {
    const reports = await server.sql<{ xmin: string; cmin: string }>(
      `select xmin::text as xmin, cmin::text as cmin from feedback_report where period = 'WEEK' and period_start = $1`,
      [WEEK],
    );
    const compliance = await server.sql<{ xmin: string }>(`select xmin::text as xmin from feedback_compliance where period = 'WEEK' and period_start = $1`, [
      WEEK,
    ]);
    expect(reports).toHaveLength(3);
    expect(compliance).toHaveLength(3);
    expect(new Set(reports.map((r) => r.xmin)).size).toBe(1);
    expect(new Set(reports.map((r) => r.cmin)).size).toBe(1);
    expect(new Set(compliance.map((r) => r.xmin))).toEqual(new Set(reports.map((r) => r.xmin)));
  });
});

describe('one report per person and period', () => {
  const MONTH = '2026-11-01';
  const monthly = (anonymous: boolean, text: string, extra: Partial<SubmitFeedbackInput> = {}) =>
    report(anonymous, text, { period: 'MONTH', periodStart: MONTH, ...extra });
  let secret: string;
  let reportId: string;

  const rowsOf = (id: string) =>
    server.sql(
      'select r.*, (select json_agg(i order by i.position) from feedback_item i where i.report_id = r.id) as items from feedback_report r where r.id = $1',
      [id],
    );

  test('an anonymous report is amended with its receipt secret, and only with it', async () => {
    const first = (await hidden.client.submitFeedbackReport({ input: monthly(true, 'First draft') })).submitFeedbackReport;
    secret = first.amendSecret!;
    reportId = first.reportId;
    expect(secret).toMatch(/^fbs_/);

    const amended = await hidden.client.submitFeedbackReport({
      input: monthly(true, 'Second thoughts', {
        amendSecret: secret,
        hoursSaved: 3,
        items: [
          { kind: 'PROBLEM', category: 'SYSTEM', severity: 'LOW', text: 'Second thoughts' },
          { kind: 'SUGGESTION', category: 'OTHER', severity: 'LOW', text: 'More coffee' },
        ],
      }),
    });
    expect(amended.submitFeedbackReport).toEqual({
      reportId,
      period: 'MONTH',
      periodStart: MONTH,
      anonymous: true,
      amended: true,
      itemCount: 2,
      amendSecret: secret,
    });
    const [row] = await server.sql<{ hours_saved: string; amended_on: string | null }>(
      'select hours_saved, amended_on::text as amended_on from feedback_report where id = $1',
      [reportId],
    );
    expect(row).toEqual({ hours_saved: '3.00', amended_on: null });
    const items = await server.sql<{ text: string }>('select text from feedback_item where report_id = $1 order by position', [reportId]);
    expect(items.map((i) => i.text)).toEqual(['Second thoughts', 'More coffee']);
    const [{ n }] = await server.sql<{ n: number }>(`select count(*)::int as n from feedback_report where period = 'MONTH' and period_start = $1`, [MONTH]);
    expect(n).toBe(1);
  });

  test('a wrong secret, or the secret of another period, is refused alike and changes nothing', async () => {
    const before = await rowsOf(reportId);
    const wrong = hidden.client.submitFeedbackReport({ input: monthly(true, 'Hijack', { amendSecret: 'fbs_not-the-secret' }) });
    await expectApiError(wrong, 'BAD_USER_INPUT', 'input.amendSecret');
    const otherPeriod = hidden.client.submitFeedbackReport({ input: report(true, 'Hijack', { amendSecret: secret }) });
    await expectApiError(otherPeriod, 'BAD_USER_INPUT', 'input.amendSecret');
    const [e1, e2] = await Promise.all([wrong.catch((e) => e.message), otherPeriod.catch((e) => e.message)]);
    expect(e1).toBe(e2);
    // An anonymous report cannot be turned named with its secret.
    await expectApiError(hidden.client.submitFeedbackReport({ input: monthly(false, 'x', { amendSecret: secret }) }), 'BAD_USER_INPUT', 'input.anonymous');
    expect(await rowsOf(reportId)).toEqual(before);
  });

  test('a second report for the same period without the secret is one CONFLICT for everybody, naming no report', async () => {
    await named.client.submitFeedbackReport({ input: monthly(false, 'Named first') });
    const attempts = [
      hidden.client.submitFeedbackReport({ input: monthly(true, 'Again anonymously') }),
      hidden.client.submitFeedbackReport({ input: monthly(false, 'Again named') }),
      named.client.submitFeedbackReport({ input: monthly(true, 'Now anonymously') }),
    ];
    const errors = await Promise.all(
      attempts.map((p) =>
        p.then(
          () => null,
          (e) => e,
        ),
      ),
    );
    for (const e of errors) expect(e).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_SUBMITTED' });
    expect(new Set(errors.map((e) => e.message)).size).toBe(1);
    expect(errors[0].message).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
    const [{ n }] = await server.sql<{ n: number }>(`select count(*)::int as n from feedback_report where period = 'MONTH' and period_start = $1`, [MONTH]);
    expect(n).toBe(2);
  });

  test('a named user submitting again for the period amends rather than duplicates', async () => {
    const { submitFeedbackReport } = await named.client.submitFeedbackReport({ input: monthly(false, 'Named, amended', { hoursSaved: 7 }) });
    expect(submitFeedbackReport).toMatchObject({ amended: true, anonymous: false, amendSecret: null });
    const rows = await server.sql<{ id: string; hours_saved: string; amended_on: string }>(
      `select r.id, r.hours_saved, r.amended_on::text as amended_on from feedback_report r join feedback_report_author a on a.report_id = r.id
        where a.user_id = $1 and r.period = 'MONTH' and r.period_start = $2`,
      [named.id, MONTH],
    );
    expect(rows).toEqual([{ id: submitFeedbackReport.reportId, hours_saved: '7.00', amended_on: '2026-12-03' }]);
    const [{ n }] = await server.sql<{ n: number }>(`select count(*)::int as n from feedback_compliance where period = 'MONTH' and period_start = $1`, [MONTH]);
    expect(n).toBe(2);
  });

  test('a report already in review can no longer be amended', async () => {
    const { feedbackReports } = await lead.client.feedbackReports({ filter: { periodStart: MONTH, anonymous: true } });
    await lead.client.triageFeedbackItem({ id: feedbackReports.edges[0].node.items[0].id, status: 'IN_REVIEW' });
    const before = await rowsOf(reportId);
    await expectApiError(hidden.client.submitFeedbackReport({ input: monthly(true, 'late', { amendSecret: secret }) }), 'CONFLICT');
    expect(await rowsOf(reportId)).toEqual(before);
  });
});

describe('bad input is refused with its field, before anything is written', () => {
  const cases: [string, Partial<SubmitFeedbackInput>, string][] = [
    ['a WEEK not starting on a Monday', { periodStart: '2026-11-24' }, 'input.periodStart'],
    ['a MONTH not starting on the 1st', { period: 'MONTH', periodStart: '2026-11-02' }, 'input.periodStart'],
    ['a period in the future', { periodStart: '2026-12-07' }, 'input.periodStart'],
    ['negative hours', { hoursSaved: -1 }, 'input.hoursSaved'],
    ['hours with three decimals', { hoursSaved: 1.125 }, 'input.hoursSaved'],
    ['an empty item text', { items: [{ kind: 'PROBLEM', category: 'DATA', severity: 'LOW', text: '  ' }] }, 'input.items.0.text'],
    ['an empty solved problem', { solvedProblems: ['ok', ''] }, 'input.solvedProblems.1'],
  ];
  for (const [what, change, field] of cases) {
    test(what, async () => {
      const fresh = await server.createUser('SALES');
      await expectApiError(
        fresh.client.submitFeedbackReport({ input: { ...report(false, 'x'), periodStart: '2026-11-30', ...change } }),
        'BAD_USER_INPUT',
        field,
      );
      const [{ n }] = await server.sql<{ n: number }>('select count(*)::int as n from feedback_compliance where user_id = $1', [fresh.id]);
      expect(n).toBe(0);
    });
  }

  test('an anonymous item may not link a customer (its owner would name the author)', async () => {
    const owner = await server.createUser('SALES');
    const { createCustomer } = await server.admin.createCustomer({
      input: { code: 'ANON-1', name: 'Anon Co', ownerId: owner.id, creditTermDays: 30, creditLimit: '10.00' },
    });
    const input = report(true, 'x', {
      periodStart: '2026-11-30',
      items: [{ kind: 'PROBLEM', category: 'DATA', severity: 'LOW', text: 'wrong address', customerId: createCustomer.id }],
    });
    await expectApiError(owner.client.submitFeedbackReport({ input }), 'BAD_USER_INPUT', 'input.items.0.customerId');
    // Named, a customer someone else owns is not visible to this salesperson.
    const stranger = await server.createUser('SALES');
    await expectApiError(stranger.client.submitFeedbackReport({ input: { ...input, anonymous: false } }), 'NOT_FOUND', 'input.items.0.customerId');
    const [{ n }] = await server.sql<{ n: number }>(`select count(*)::int as n from feedback_compliance where user_id in ($1, $2)`, [owner.id, stranger.id]);
    expect(n).toBe(0);
  });
});

// Last: the extra anonymous report of another week would change the counts above.
describe('the log, for operations that hide submitFeedbackReport', () => {
  test('submitFeedbackReport behind an alias and a fragment is not logged either', async () => {
    const fresh = await server.createUser('SALES');
    const before = server.logs().length;
    await fresh.client.request(
      `mutation hidden($input: SubmitFeedbackInput!) { ...f }
       fragment f on Mutation { receipt: submitFeedbackReport(input: $input) { reportId } }`,
      { input: { ...report(true, 'Quietly'), periodStart: '2026-11-16' } },
    );
    await fresh.client.request(`query mine { me { id } }`);
    // The second operation is logged with its user, the first not at all.
    await new Promise((r) => setTimeout(r, 200));
    const added = server.logs().slice(before);
    expect(added).toContain(fresh.id);
    expect(added.split('\n').filter((l) => l.includes(fresh.id))).toHaveLength(1);
    expect(added).not.toContain('"operation":"hidden"');
  });
});

/**
 * Hardening, regressions of what was reported: dates outside 1900–2200 hung the event
 * loop (the calendar of 9999-12-31), a future overdue scan wrote alarms nobody could take
 * back, and NUL bytes, forged cursors and unbounded search strings reached PostgreSQL.
 * Everything here is refused as BAD_USER_INPUT naming the field, fast, and changes
 * nothing. The server's calendar date is fixed at Monday 4 January 2027.
 */
import { startTestServer, TestServer, TestUser } from '../helpers/server';

const TODAY = '2027-01-04';

let server: TestServer;
let sales: TestUser;
let finance: TestUser;
let manager: TestUser;
let customerId: string;
let receivableId: string;
let paymentId: string;

interface Answer {
  status: number;
  ms: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string; field?: string } }[];
}

/** One POST /graphql as the holder of `token`, with its HTTP status and how long it took. */
async function post(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<Answer, 'status' | 'ms'>;
  return { status: response.status, ms: Date.now() - started, ...body };
}

/** The answer's first error, as { code, reason, field }; there is no data. */
function refusal(answer: Answer) {
  expect(answer.errors?.length).toBeGreaterThan(0);
  expect(answer.data ?? null).toBeNull();
  const { code, reason, field } = answer.errors![0].extensions ?? {};
  return { code, reason, field };
}

const cursor = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');

async function count(table: string): Promise<number> {
  const [row] = await server.sql<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(row.n);
}

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: TODAY, WEEKLY_ANALYSIS_AT: 'off' });
  [sales, finance, manager] = await Promise.all([server.createUser('SALES'), server.createUser('FINANCE'), server.createUser('MANAGER')]);
  const { createCustomer } = await finance.client.createCustomer({
    input: { code: 'HARD-1', name: 'Hardening customer', ownerId: sales.id, creditTermDays: 30, creditLimit: '100000.00' },
  });
  customerId = createCustomer.id;
  // Due 1 July 2026: at stage 90 once scanned as of today.
  const { createReceivable } = await finance.client.createReceivable({
    input: { customerId, reference: 'HARD-INV-1', amount: '500.00', issuedOn: '2026-06-01', dueOn: '2026-07-01' },
  });
  receivableId = createReceivable.id;
  const { recordPayment } = await finance.client.recordPayment({
    input: { customerId, amount: '10.00', receivedOn: TODAY, method: 'CASH', allocations: [] },
  });
  paymentId = recordPayment.id;
});
afterAll(() => server.close());

describe('dates are bounded to 1900–2200', () => {
  test('calendar of 9999-12-31 (any role) is refused at once; another user is served meanwhile', async () => {
    const [huge, small] = await Promise.all([
      post(sales.token, '{ calendar(from: "9999-12-31", to: "9999-12-31") { date } }'),
      post(finance.token, `{ calendar(from: "${TODAY}", to: "2027-01-10") { date working } }`),
    ]);
    expect(huge.errors!.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', reason: 'DATE_OUT_OF_RANGE', field: 'from' },
      { code: 'BAD_USER_INPUT', reason: 'DATE_OUT_OF_RANGE', field: 'to' },
    ]);
    expect(huge.status).toBe(400);
    expect(huge.ms).toBeLessThan(2000);
    expect(small.errors).toBeUndefined();
    expect(small.data!.calendar).toHaveLength(7);
    expect(small.ms).toBeLessThan(2000);

    const viaVariables = await post(sales.token, 'query ($from: LocalDate!, $to: LocalDate!) { calendar(from: $from, to: $to) { date } }', {
      from: TODAY,
      to: '9999-12-31',
    });
    expect(refusal(viaVariables)).toEqual({ code: 'BAD_USER_INPUT', reason: 'DATE_OUT_OF_RANGE', field: 'to' });
  });

  test('setCalendarDay, clearCalendarDay and publishWeeklyAnalysis refuse 9999-12-31 and store nothing', async () => {
    const before = [await count('calendar_day'), await count('weekly_analysis'), await count('receivable')];
    for (const [query, field] of [
      ['mutation { setCalendarDay(date: "9999-12-31", kind: HOLIDAY) { date } }', 'date'],
      ['mutation { clearCalendarDay(date: "9999-12-31") { date } }', 'date'],
      ['mutation { publishWeeklyAnalysis(weekOf: "9999-12-31") { id } }', 'weekOf'],
      ['mutation { setCalendarDay(date: "1899-12-31", kind: WORKDAY) { date } }', 'date'],
    ]) {
      const answer = await post(server.adminToken, query);
      expect(refusal(answer)).toEqual({ code: 'BAD_USER_INPUT', reason: 'DATE_OUT_OF_RANGE', field });
      expect(answer.ms).toBeLessThan(2000);
    }
    expect([await count('calendar_day'), await count('weekly_analysis'), await count('receivable')]).toEqual(before);
  });

  test('what is no date at all is INVALID_DATE, in literals and in variables', async () => {
    for (const date of ['0000-00-00', '2026-02-30', '+010000-01-01', '2026-1-1', 'tomorrow']) {
      expect(refusal(await post(sales.token, `{ calendar(from: "${date}", to: "${TODAY}") { date } }`))).toEqual({
        code: 'BAD_USER_INPUT',
        reason: 'INVALID_DATE',
        field: 'from',
      });
      const answer = await post(finance.token, 'mutation ($input: RecordPaymentInput!) { recordPayment(input: $input) { id } }', {
        input: { customerId, amount: '1.00', receivedOn: date, method: 'CASH' },
      });
      expect(refusal(answer)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_DATE', field: 'input.receivedOn' });
    }
  });

  test('the bounds themselves are dates like any other', async () => {
    const { calendar: last } = await sales.client.calendar({ from: '2200-12-25', to: '2200-12-31' });
    expect(last.map((d) => d.date)).toEqual(['2200-12-25', '2200-12-26', '2200-12-27', '2200-12-28', '2200-12-29', '2200-12-30', '2200-12-31']);
    const { calendar: first } = await sales.client.calendar({ from: '1900-01-01', to: '1900-01-01' });
    expect(first).toEqual([{ date: '1900-01-01', working: true, weekend: false, kind: null, name: null }]);
  });

  test('calendar spans at most 366 days, and to may not be before from', async () => {
    expect((await sales.client.calendar({ from: '2024-01-01', to: '2024-12-31' })).calendar).toHaveLength(366);
    expect(refusal(await post(sales.token, '{ calendar(from: "2024-01-01", to: "2025-01-01") { date } }'))).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'RANGE_TOO_LONG',
      field: 'to',
    });
    expect(refusal(await post(sales.token, '{ calendar(from: "2027-01-10", to: "2027-01-04") { date } }'))).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'RANGE_REVERSED',
      field: 'to',
    });
  });

  test('statistics windows span at most 1096 days (three years), and every from/to pair is in order', async () => {
    const ok = await post(manager.token, '{ collectionStats(from: "2024-01-01", to: "2026-12-31") { dueCount } }');
    expect(ok.errors).toBeUndefined();
    for (const query of [
      '{ collectionStats(from: "2024-01-01", to: "2027-01-01") { dueCount } }',
      '{ scorecards(from: "2024-01-01", to: "2027-01-01") { rank } }',
      '{ feedbackSummary(from: "2023-01-01", to: "2026-12-31") { totals { reportCount } } }',
    ]) {
      expect(refusal(await post(manager.token, query))).toEqual({ code: 'BAD_USER_INPUT', reason: 'RANGE_TOO_LONG', field: 'to' });
    }
    for (const [query, field] of [
      ['{ feedbackSummary(from: "2026-12-31", to: "2026-12-01") { totals { reportCount } } }', 'to'],
      ['{ scorecards(from: "2026-12-31", to: "2026-12-01") { rank } }', 'to'],
      ['{ payments(filter: { receivedFrom: "2026-12-31", receivedTo: "2026-12-01" }) { totalCount } }', 'filter.receivedTo'],
      ['{ receivables(filter: { dueFrom: "2026-12-31", dueTo: "2026-12-01" }) { totalCount } }', 'filter.dueTo'],
      ['{ feedbackReports(filter: { from: "2026-12-31", to: "2026-12-01" }) { totalCount } }', 'filter.to'],
    ]) {
      expect(refusal(await post(manager.token, query))).toEqual({ code: 'BAD_USER_INPUT', reason: 'RANGE_REVERSED', field });
    }
  });
});

describe('runOverdueScan', () => {
  test('a date after today is refused with DATE_IN_FUTURE on asOf, and no event or state row is written', async () => {
    const before = [await count('overdue_event'), await count('receivable_overdue_state')];
    for (const asOf of ['2027-01-05', '2200-12-31']) {
      const answer = await post(finance.token, `mutation { runOverdueScan(asOf: "${asOf}") { becameOverdue } }`);
      expect(refusal(answer)).toEqual({ code: 'BAD_USER_INPUT', reason: 'DATE_IN_FUTURE', field: 'asOf' });
    }
    expect(refusal(await post(finance.token, 'mutation { runOverdueScan(asOf: "9999-12-31") { becameOverdue } }'))).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'DATE_OUT_OF_RANGE',
      field: 'asOf',
    });
    expect([await count('overdue_event'), await count('receivable_overdue_state')]).toEqual(before);
    expect(before[0]).toBe(0);

    const { runOverdueScan } = await finance.client.runOverdueScan({ asOf: TODAY });
    expect(runOverdueScan).toMatchObject({ ran: true, becameOverdue: 1, asOf: TODAY });
    expect((await finance.client.receivable({ id: receivableId })).receivable!.overdueStage).toBe(90);
  });

  test('a scan of a date before the last scan is refused with CONFLICT and changes nothing', async () => {
    await finance.client.runOverdueScan({ asOf: TODAY });
    const events = await count('overdue_event');
    for (const asOf of ['2026-06-15', '1900-01-01']) {
      await expect(finance.client.runOverdueScan({ asOf })).rejects.toMatchObject({ code: 'CONFLICT', reason: 'SCAN_DATE_BEFORE_LAST_SCAN', field: 'asOf' });
    }
    expect(await count('overdue_event')).toBe(events);
    expect((await finance.client.receivable({ id: receivableId })).receivable!.overdueStage).toBe(90);
  });
});

describe('strings never reach the database unchecked', () => {
  test('a NUL byte in any string input is BAD_USER_INPUT NUL_CHARACTER naming its path, and writes nothing', async () => {
    const customers = await count('customer');
    const cases: [string, string, Record<string, unknown>, string][] = [
      [
        server.adminToken,
        'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
        { input: { code: 'NUL-1', name: 'a\u0000b', ownerId: sales.id, creditTermDays: 30, creditLimit: '1.00' } },
        'input.name',
      ],
      [
        server.adminToken,
        `mutation { createCustomer(input: { code: "NUL\\u0000", name: "x", ownerId: "${sales.id}", creditTermDays: 30, creditLimit: "1.00" }) { id } }`,
        {},
        'input.code',
      ],
      [sales.token, 'query ($s: String) { customers(filter: { search: $s }) { totalCount } }', { s: '\u0000' }, 's'],
      [sales.token, '{ receivables(filter: { search: "x\\u0000" }) { totalCount } }', {}, 'filter.search'],
      [server.adminToken, 'mutation ($e: String!) { login(email: $e, password: "whatever-it-is") { token } }', { e: 'admin\u0000@test.example' }, 'e'],
      [
        sales.token,
        'mutation ($input: SubmitFeedbackInput!) { submitFeedbackReport(input: $input) { reportId } }',
        {
          input: {
            period: 'WEEK',
            periodStart: '2026-12-28',
            anonymous: false,
            hoursSaved: 1,
            items: [
              { kind: 'PROBLEM', category: 'DATA', severity: 'LOW', text: 'fine' },
              { kind: 'PROBLEM', category: 'DATA', severity: 'LOW', text: 'bad\u0000' },
            ],
          },
        },
        'input.items.1.text',
      ],
      [finance.token, `mutation { voidPayment(id: "${paymentId}", reason: "oops\\u0000") { id } }`, {}, 'reason'],
    ];
    for (const [token, query, variables, field] of cases) {
      const answer = await post(token, query, variables);
      expect(refusal(answer)).toEqual({ code: 'BAD_USER_INPUT', reason: 'NUL_CHARACTER', field });
      expect(answer.status).toBe(400);
    }
    expect(await count('customer')).toBe(customers);
    expect(await count('feedback_report')).toBe(0);
    expect((await finance.client.payment({ id: paymentId })).payment!.voided).toBe(false);
  });

  test('an unpaired surrogate is INVALID_UNICODE (PostgreSQL jsonb refused it as an internal error)', async () => {
    const answer = await post(sales.token, 'mutation ($input: SubmitFeedbackInput!) { submitFeedbackReport(input: $input) { reportId } }', {
      input: { period: 'WEEK', periodStart: '2026-12-28', anonymous: true, hoursSaved: 1, solvedProblems: ['half an emoji \ud83d'] },
    });
    expect(refusal(answer)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_UNICODE', field: 'input.solvedProblems.0' });
    expect(await count('feedback_report')).toBe(0);
  });

  test('search is at most 100 characters; a 900,000-character one is refused at once', async () => {
    expect((await sales.client.customers({ filter: { search: 'h'.repeat(100) } })).customers.totalCount).toBe(0);
    for (const query of [
      'query ($s: String) { customers(filter: { search: $s }) { totalCount } }',
      'query ($s: String) { receivables(filter: { search: $s }) { totalCount } }',
      'query ($s: String) { customers { nodes { receivables(filter: { search: $s }) { totalCount } } } }',
    ]) {
      const answer = await post(sales.token, query, { s: 'h'.repeat(101) });
      expect(answer.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'TEXT_LENGTH', field: 'filter.search' });
    }
    const huge = await post(sales.token, 'query ($s: String) { customers(filter: { search: $s }) { totalCount } }', { s: '%'.repeat(900_000) });
    expect(refusal(huge)).toEqual({ code: 'BAD_USER_INPUT', reason: 'TEXT_LENGTH', field: 's' });
    expect(huge.ms).toBeLessThan(2000);
  });

  test('no string input may exceed 10,000 characters; names, reasons and users have their own limits', async () => {
    const before = [await count('customer'), await count('app_user'), await count('receivable')];
    const long = (n: number) => 'x'.repeat(n);
    const cases: [string, string, Record<string, unknown>, string, string][] = [
      [server.adminToken, 'mutation ($n: String!) { createApiToken(name: $n) { token } }', { n: long(10_001) }, 'n', 'TEXT_LENGTH'],
      [
        finance.token,
        'mutation ($r: String!, $id: ID!) { writeOffReceivable(id: $id, reason: $r) { id } }',
        { id: receivableId, r: long(1001) },
        'reason',
        'TEXT_LENGTH',
      ],
      [
        finance.token,
        'mutation ($r: String!, $id: ID!) { voidPayment(id: $id, reason: $r) { id } }',
        { id: paymentId, r: long(1001) },
        'reason',
        'TEXT_LENGTH',
      ],
      [
        server.adminToken,
        'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
        { input: { email: `${long(250)}@x.example`, name: 'Long mail', role: 'SALES', password: 'password-1' } },
        'input.email',
        'TEXT_LENGTH',
      ],
      [
        server.adminToken,
        'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
        { input: { email: 'long.name@x.example', name: long(201), role: 'SALES', password: 'password-1' } },
        'input.name',
        'TEXT_LENGTH',
      ],
      [
        server.adminToken,
        'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
        { input: { email: 'long.password@x.example', name: 'Long password', role: 'SALES', password: long(1025) } },
        'input.password',
        'PASSWORD_TOO_LONG',
      ],
      [
        finance.token,
        'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
        { input: { code: 'LONG-1', name: long(201), ownerId: sales.id, creditTermDays: 30, creditLimit: '1.00' } },
        'input.name',
        'TEXT_LENGTH',
      ],
    ];
    for (const [token, query, variables, field, reason] of cases) {
      expect(refusal(await post(token, query, variables))).toEqual({ code: 'BAD_USER_INPUT', reason, field });
    }
    expect([await count('customer'), await count('app_user'), await count('receivable')]).toEqual(before);
    expect((await finance.client.receivable({ id: receivableId })).receivable!.status).toBe('OPEN');
  });

  test('a forged or malformed cursor is BAD_USER_INPUT INVALID_CURSOR on after', async () => {
    const uuid = '6f1c2f4e-9d7b-4c1a-8e3f-2b5a7c9d0e1f';
    const forged: [string, string][] = [
      ['customers', cursor(['C', 'not-a-uuid'])],
      ['customers', cursor(['C\u0000', uuid])],
      ['customers', cursor([1, 2])],
      ['customers', 'definitely not base64 !!'],
      ['receivables', cursor(['9999-99-99', uuid])],
      ['receivables', cursor(['2026-02-30', uuid])],
      ['payments', cursor([TODAY, 'x'])],
      ['feedbackReports', cursor(["2026-12-28'; drop table customer; --", uuid])],
      ['overdueEvents', Buffer.from('oe:1 or 1=1').toString('base64url')],
    ];
    for (const [list, after] of forged) {
      const answer = await post(server.adminToken, `query ($after: String) { ${list}(after: $after) { totalCount } }`, { after });
      expect(refusal(answer)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR', field: 'after' });
    }
    const nested = await post(server.adminToken, 'query ($after: String) { customers { nodes { receivables(after: $after) { totalCount } } } }', {
      after: cursor(['2026-07-01', 'nope']),
    });
    expect(nested.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR', field: 'after' });

    // Cursors the list gave out, and well-formed ones, still page on.
    const first = (await finance.client.receivables({ first: 1 })).receivables;
    expect(first.edges.map((e) => e.node.id)).toEqual([receivableId]);
    expect((await finance.client.receivables({ first: 1, after: first.pageInfo.endCursor })).receivables.edges).toEqual([]);
    expect((await finance.client.receivables({ first: 1, after: cursor(['1900-01-01', uuid]) })).receivables.edges.map((e) => e.node.id)).toEqual([
      receivableId,
    ]);
  });

  test('subscriptions are guarded the same way: a NUL in a variable or a forged cursor is refused at subscribe time', async () => {
    const firstEvent = async (after: string) => {
      const stream = finance.client.subscribeOverdueEvents({ after });
      try {
        for await (const event of stream) return event;
      } catch (e) {
        const { code, reason, field } = e as { code?: string; reason?: string; field?: string };
        return { code, reason, field };
      }
      return undefined;
    };
    expect(await firstEvent('oe\u0000')).toEqual({ code: 'BAD_USER_INPUT', reason: 'NUL_CHARACTER', field: 'after' });
    expect(await firstEvent(cursor(['x']))).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR', field: 'after' });
  });

  test('a body that is no JSON, or larger than 1 MB, is BAD_USER_INPUT without a stack trace', async () => {
    for (const [body, status, reason] of [
      ['{"query": "{ me { id } }"', 400, 'MALFORMED_REQUEST'],
      [JSON.stringify({ query: '{ me { id } }', variables: { s: 'z'.repeat(1_100_000) } }), 413, 'REQUEST_TOO_LARGE'],
    ] as const) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sales.token}` },
        body,
      });
      expect(response.status).toBe(status);
      const text = await response.text();
      expect(text).not.toMatch(/node_modules|\bat .*:\d+:\d+/);
      expect(JSON.parse(text)).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'BAD_USER_INPUT', reason } }] });
    }
  });

  test('filtering the overdue events by an id that is no uuid finds nothing (it failed in PostgreSQL)', async () => {
    for (const filter of [{ customerId: 'abc' }, { salespersonId: "1' or '1'='1" }]) {
      const { overdueEvents } = await finance.client.overdueEvents({ filter });
      expect(overdueEvents.totalCount).toBe(0);
    }
  });
});

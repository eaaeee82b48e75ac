/**
 * Goals and scorecards through the API: a manager sets a monthly 95% collection-rate
 * goal for every salesperson (and more), and progress, attainment, status, scores and
 * ranks match a hand calculation for three salespeople over November 2026. "Today" is
 * 7 December 2026, so November is over (MET / MISSED).
 *
 * Ledger — each salesperson has one customer and one receivable of 1000.00, issued
 * 2026-10-01, due Tuesday 2026-11-10 (effective due 11-10):
 *   Alice: 1000 arrived 11-09          → collection rate 1,   on time 1,   overdue at 11-30: 0
 *   Bob:    900 arrived 11-12 (late)   → collection rate 0.9, on time 0,   overdue 100
 *   Carol:  500 arrived 11-10          → collection rate 0.5, on time 0.5, overdue 500
 * Company: due 3000, collected 2400 → 0.8; on time 1500 → 0.5.
 */
import { factories } from '../helpers/factories';
import { expectApiError, startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let manager: TestUser;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let finance: TestUser;

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: '2026-12-07', WEEKLY_ANALYSIS_AT: 'off' });
  manager = await server.createUser('MANAGER', 'Max Manager');
  finance = await server.createUser('FINANCE', 'Fay Finance');
  alice = await server.createUser('SALES', 'Alice');
  bob = await server.createUser('SALES', 'Bob');
  carol = await server.createUser('SALES', 'Carol');
  const make = factories(server, { as: finance.client, today: '2026-12-07' });
  for (const [person, paid, receivedOn] of [
    [alice, '1000.00', '2026-11-09'],
    [bob, '900.00', '2026-11-12'],
    [carol, '500.00', '2026-11-10'],
  ] as const) {
    const customer = await make.customer({ code: `G-${person.id.slice(0, 6)}`, name: `Customer of ${person.id}`, ownerId: person.id, creditLimit: '10000.00' });
    await make.receivable(customer.id, { reference: 'INV-1', amount: '1000.00', issuedOn: '2026-10-01', dueOn: '2026-11-10' });
    await make.payment(customer.id, { amount: paid, receivedOn, lagReason: 'statement import' });
  }
});
afterAll(() => server?.close());

let collectionGoalId: string;
let carolGoalId: string;

test('a manager sets a monthly 95% collection-rate goal for every salesperson; progress has one row each', async () => {
  const { createGoal } = await manager.client.createGoal({
    input: { metric: 'COLLECTION_RATE', target: '0.95', period: 'MONTH', periodStart: '2026-11-01', scope: 'EVERY_SALESPERSON', weight: 3 },
  });
  collectionGoalId = createGoal.id;
  // Company: 2400 / 3000 = 0.8; attainment 0.8 / 0.95 = 0.842105263; November is over and the target was not reached.
  expect(createGoal).toMatchObject({
    metric: 'COLLECTION_RATE',
    direction: 'AT_LEAST',
    target: '0.9500',
    period: 'MONTH',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    scope: 'EVERY_SALESPERSON',
    salesperson: null,
    weight: 3,
    actual: '0.800000',
    attainment: 0.842105263,
    status: 'MISSED',
  });
  // Alice 1 → MET; Bob 0.9 / 0.95 = 0.947368421 → MISSED; Carol 0.5 / 0.95 = 0.526315789 → MISSED.
  expect(createGoal.progress).toEqual([
    { salesperson: { id: alice.id, name: 'Alice' }, actual: '1.000000', attainment: 1, status: 'MET', measuredFrom: '2026-11-01', measuredTo: '2026-11-30' },
    {
      salesperson: { id: bob.id, name: 'Bob' },
      actual: '0.900000',
      attainment: 0.947368421,
      status: 'MISSED',
      measuredFrom: '2026-11-01',
      measuredTo: '2026-11-30',
    },
    {
      salesperson: { id: carol.id, name: 'Carol' },
      actual: '0.500000',
      attainment: 0.526315789,
      status: 'MISSED',
      measuredFrom: '2026-11-01',
      measuredTo: '2026-11-30',
    },
  ]);
});

test('more goals: on-time rate for everyone, an overdue ceiling for Carol alone', async () => {
  await manager.client.createGoal({ input: { metric: 'ON_TIME_RATE', target: '0.8', period: 'MONTH', periodStart: '2026-11-01', scope: 'EVERY_SALESPERSON' } });
  const { createGoal } = await manager.client.createGoal({
    input: { metric: 'OVERDUE_AMOUNT', target: '100.00', period: 'MONTH', periodStart: '2026-11-01', scope: 'SALESPERSON', salespersonId: carol.id },
  });
  carolGoalId = createGoal.id;
  // Carol's overdue at 11-30: 500; at most 100 → attainment 100 / 500 = 0.2.
  expect(createGoal).toMatchObject({
    direction: 'AT_MOST',
    target: '100.00',
    salesperson: { id: carol.id },
    weight: 1,
    actual: '500.00',
    attainment: 0.2,
    status: 'MISSED',
  });
});

test('scorecards for November: weighted scores and ranks by hand', async () => {
  const { scorecards } = await manager.client.scorecards({ from: '2026-11-01', to: '2026-11-30' });
  // Alice: collection 1 (w3), on time 1 (w1)                                   → score 1
  // Bob:   0.947368421 (w3), on time 0 / 0.8 = 0 (w1)  → (2.842105263 + 0) / 4 = 0.710526
  // Carol: 0.526315789 (w3), 0.5 / 0.8 = 0.625 (w1), overdue 0.2 (w1) → (1.578947367 + 0.625 + 0.2) / 5 = 0.480789
  expect(scorecards.map((s) => [s.salesperson.name, s.score, s.rank])).toEqual([
    ['Alice', 1, 1],
    ['Bob', 0.710526, 2],
    ['Carol', 0.480789, 3],
  ]);
  const carolCard = scorecards[2];
  expect(carolCard.goals.map((g) => [g.goal.metric, g.weight, g.actual, g.attainment, g.status])).toEqual([
    ['COLLECTION_RATE', 3, '0.500000', 0.526315789, 'MISSED'],
    ['ON_TIME_RATE', 1, '0.500000', 0.625, 'MISSED'],
    ['OVERDUE_AMOUNT', 1, '500.00', 0.2, 'MISSED'],
  ]);
  expect(carolCard.stats).toMatchObject({ due: '1000.00', collected: '500.00', collectionRate: 0.5, onTimeRate: 0.5, overdueAmount: '500.00' });
});

test('a salesperson sees only their own scorecard and the goals that apply to them', async () => {
  const { scorecards } = await carol.client.scorecards({ from: '2026-11-01', to: '2026-11-30' });
  expect(scorecards.map((s) => [s.salesperson.id, s.rank])).toEqual([[carol.id, 3]]);

  const own = (await carol.client.goals({ activeOn: '2026-11-15' })).goals;
  expect(own.map((g) => g.metric).sort()).toEqual(['COLLECTION_RATE', 'ON_TIME_RATE', 'OVERDUE_AMOUNT']);
  const every = own.find((g) => g.id === collectionGoalId)!;
  // Her own row only, and the goal-level figures are hers.
  expect(every.progress.map((row) => row.salesperson?.id)).toEqual([carol.id]);
  expect(every).toMatchObject({ actual: '0.500000', status: 'MISSED' });
  expect((await alice.client.goals({})).goals.map((g) => g.metric).sort()).toEqual(['COLLECTION_RATE', 'ON_TIME_RATE']);
  expect((await finance.client.goals({})).goals).toEqual([]);
  await expectApiError(finance.client.scorecards({ from: '2026-11-01', to: '2026-11-30' }), 'FORBIDDEN');
});

test('goals(activeOn) filters by period; a goal of a running period is ON_TRACK with nothing yet to measure', async () => {
  const { createGoal } = await manager.client.createGoal({
    input: { metric: 'CEI', target: '0.7', period: 'QUARTER', periodStart: '2027-01-01', scope: 'COMPANY', weight: 2 },
  });
  expect(createGoal).toMatchObject({
    periodEnd: '2027-03-31',
    actual: null,
    attainment: null,
    status: 'ON_TRACK',
    progress: [{ salesperson: null, actual: null }],
  });
  expect((await manager.client.goals({ activeOn: '2027-02-10' })).goals.map((g) => g.id)).toEqual([createGoal.id]);
  expect((await manager.client.goals({ activeOn: '2026-11-30' })).goals).toHaveLength(3);
});

test('bad input is BAD_USER_INPUT naming the field and creates nothing; roles are enforced', async () => {
  const before = (await manager.client.goals({})).goals.length;
  const base = { metric: 'COLLECTION_RATE', target: '0.95', period: 'MONTH', periodStart: '2026-12-01', scope: 'EVERY_SALESPERSON' } as const;
  await expectApiError(manager.client.createGoal({ input: { ...base, target: '95' } }), 'BAD_USER_INPUT', 'input.target');
  await expectApiError(manager.client.createGoal({ input: { ...base, target: '0.95123' } }), 'BAD_USER_INPUT', 'input.target');
  await expectApiError(manager.client.createGoal({ input: { ...base, target: '-1' } }), 'BAD_USER_INPUT', 'input.target');
  await expectApiError(manager.client.createGoal({ input: { ...base, periodStart: '2026-12-02' } }), 'BAD_USER_INPUT', 'input.periodStart');
  await expectApiError(manager.client.createGoal({ input: { ...base, period: 'WEEK', periodStart: '2026-12-01' } }), 'BAD_USER_INPUT', 'input.periodStart');
  await expectApiError(manager.client.createGoal({ input: { ...base, weight: 0 } }), 'BAD_USER_INPUT', 'input.weight');
  await expectApiError(manager.client.createGoal({ input: { ...base, scope: 'SALESPERSON' } }), 'BAD_USER_INPUT', 'input.salespersonId');
  await expectApiError(manager.client.createGoal({ input: { ...base, salespersonId: alice.id } }), 'BAD_USER_INPUT', 'input.salespersonId');
  await expectApiError(
    manager.client.createGoal({ input: { ...base, scope: 'SALESPERSON', salespersonId: finance.id } }),
    'BAD_USER_INPUT',
    'input.salespersonId',
  );
  await expectApiError(manager.client.createGoal({ input: { ...base, metric: 'NOPE' as 'CEI' } }), 'BAD_USER_INPUT', 'input.metric');
  await expectApiError(alice.client.createGoal({ input: base }), 'FORBIDDEN');
  await expectApiError(finance.client.createGoal({ input: base }), 'FORBIDDEN');
  expect((await manager.client.goals({})).goals.length).toBe(before);
  const [{ n }] = await server.sql<{ n: number }>('select count(*)::int as n from goal');
  expect(n).toBe(before);
});

test('updateGoal changes the target (progress follows), archiveGoal retires it', async () => {
  // Lowering the target to 0.9 makes Bob's 0.9 meet it.
  const { updateGoal } = await manager.client.updateGoal({ id: collectionGoalId, input: { target: '0.9' } });
  expect(updateGoal.target).toBe('0.9000');
  expect(updateGoal.progress.map((row) => row.status)).toEqual(['MET', 'MET', 'MISSED']);
  await expectApiError(manager.client.updateGoal({ id: collectionGoalId, input: { periodStart: '2026-11-03' } }), 'BAD_USER_INPUT', 'input.periodStart');
  expect((await manager.client.goals({ activeOn: '2026-11-15' })).goals.find((g) => g.id === collectionGoalId)).toMatchObject({
    periodStart: '2026-11-01',
    target: '0.9000',
  });

  const { archiveGoal } = await manager.client.archiveGoal({ id: carolGoalId });
  expect(archiveGoal.archivedAt).not.toBeNull();
  expect((await manager.client.goals({ activeOn: '2026-11-15' })).goals.map((g) => g.id)).not.toContain(carolGoalId);
  await expectApiError(manager.client.updateGoal({ id: carolGoalId, input: { weight: 2 } }), 'CONFLICT');
  await expectApiError(manager.client.archiveGoal({ id: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND', 'id');
  // Carol's score without the archived goal: (3 × 0.5/0.9 + 0.625) / 4 = (1.666666665 + 0.625) / 4 = 0.572917.
  const { scorecards } = await manager.client.scorecards({ from: '2026-11-01', to: '2026-11-30' });
  expect(scorecards.map((s) => [s.salesperson.name, s.score, s.rank])).toEqual([
    ['Alice', 1, 1],
    ['Bob', 0.75, 2], // (3 × 1 + 0) / 4
    ['Carol', 0.572917, 3],
  ]);
});

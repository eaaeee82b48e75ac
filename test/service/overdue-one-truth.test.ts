/**
 * The overdue engine held to the aging report on a random ledger (fixed seed).
 *
 * Five months of a sales team's life, day by day on a moving clock: receivables issued
 * (some with a later issue date), payments that arrived days before they were booked,
 * partial and over-payments whose credit is applied later, voids, write-offs, payment
 * notices, disputes opened and resolved (VALID and PARTIAL ones credit a part), and
 * holidays or make-up working days declared ahead, which move effective due dates. Scans
 * run on random days only, so there are gaps, as after downtime.
 *
 * The figures are checked against a *forward* position written here independently of the
 * server's (which counts backwards from the stored outstanding): amount − allocations of
 * valid payments whose money arrived (or the receivable was issued) by D − a write-off made
 * by D − credits granted by D, for receivables issued by D.
 *
 * - After every ledger change: each new event's outstanding is the position as of its date.
 * - After every scan of day D:
 *   - the aging report as of D counts exactly the receivables with a position past due;
 *   - the engine holds in an overdue stage exactly those, minus the ones a payment notice
 *     holds on D, each at least at the stage its days past due reach; a fully disputed
 *     receivable (open disputes cover its position) keeps whatever stage it had, so it is
 *     left out of this check (the full re-judgement below still holds it to the rule);
 *   - judging every receivable again (a full re-judgement) writes no event and changes
 *     no stage: the incremental scans missed nothing.
 * - At the end, Customer.overdueAmount is each customer's overdue money by position.
 * - The server's per-row form of the position (positionOnSql) agrees on every scan date.
 */
import { type Principal } from '../../server/core/auth';
import { DayKind } from '../../server/core/business-calendar';
import { DomainError } from '../../server/core/errors';
import { addDays, isoWeekday, type LocalDate } from '../../server/core/local-date';
import { formatMoney, parseMoney } from '../../server/core/money';
import { positionOnSql } from '../../server/db/positions';
import { DisputeCategory, DisputeOutcome } from '../../server/modules/disputes/dispute.entity';
import { openServiceScope, type ServiceScope } from '../helpers/service-scope';

const START: LocalDate = '2027-01-04';
const DAYS = 150;
const STAGES = [1, 30, 60, 90];

/** mulberry32: a small seeded generator, so every run builds the same ledger. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}

interface Judged {
  id: string;
  reference: string;
  position: string;
  daysPast: number;
  held: boolean;
  /** Open disputes cover the whole position on D (and no notice holds it): the stage is frozen. */
  frozen: boolean;
  stage: number | null;
}

let scope: ServiceScope;

beforeAll(async () => {
  scope = await openServiceScope({ today: START });
});
afterAll(() => scope?.close());

/** Positions as of `asOf`, forward from the ledger's rows, with the engine's stage beside them. */
async function forwardPositions(asOf: LocalDate, ids?: string[]): Promise<Judged[]> {
  const rows = await scope.sql<{ id: string; reference: string; position: string; days_past: number; held: boolean; disputed: string; stage: number | null }>(
    `select r.id, r.reference,
            (r.amount
              - coalesce((select sum(a.amount) from payment_allocation a join payment p on p.id = a.payment_id
                           where a.receivable_id = r.id and p.voided_at is null and greatest(p.received_on, r.issued_on) <= $1::date), 0)
              - case when (r.written_off_at at time zone $2)::date <= $1::date then r.written_off_amount else 0 end
              - coalesce((select sum(k.amount) from receivable_credit k where k.receivable_id = r.id and k.credited_on <= $1::date), 0))::text as position,
            $1::date - r.effective_due_on as days_past,
            exists (select 1 from payment_notice n where n.receivable_id = r.id and n.status = 'OPEN'
                     and n.created_on <= $1::date and n.hold_until >= $1::date) as held,
            coalesce((select sum(d.amount) from dispute d where d.receivable_id = r.id and d.opened_on <= $1::date
                       and (d.resolved_on is null or d.resolved_on > $1::date)), 0)::text as disputed,
            o.stage
       from receivable r left join receivable_alarm o on o.receivable_id = r.id
      where r.issued_on <= $1::date and ($3::uuid[] is null or r.id = any($3::uuid[]))
      order by r.reference`,
    [asOf, scope.config.timeZone, ids ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    position: r.position,
    daysPast: r.days_past,
    held: r.held,
    frozen: !r.held && cents(r.position) > 0n && cents(r.disputed) >= cents(r.position),
    stage: r.stage,
  }));
}

const cents = (money: string) => BigInt(money.replace('.', ''));
const reached = (daysPast: number) => STAGES.filter((s) => s <= daysPast).pop() ?? null;

test('on a random ledger the engine agrees with the aging report on every scan date, and incremental scans equal full re-judgements', async () => {
  const rng = random(20261129);
  // Disputes draw from their own generator, so the rest of the ledger is the one it was before disputes existed.
  const drng = random(20261210);
  const salespeople: Principal[] = [];
  for (let i = 0; i < 3; i++) salespeople.push(await scope.createUser('SALES'));
  const finance = await scope.createUser('FINANCE');
  const customers: { id: string; owner: Principal }[] = [];
  for (let i = 0; i < 20; i++) {
    const owner = salespeople[i % salespeople.length];
    // Half of them with a small credit limit, so the credit status rules on overdue money fire too.
    const creditLimit = i % 2 === 0 ? '2000.00' : '100000.00';
    customers.push({ id: (await scope.make.customer(owner, { creditTermDays: rng.int(0, 45), creditLimit })).id, owner });
  }
  const receivables: { id: string; customerId: string; owner: Principal }[] = [];
  const payments: string[] = [];
  let lastSeq = '0';
  const tally = {
    receivables: 0,
    payments: 0,
    credit: 0,
    voids: 0,
    writeOffs: 0,
    notices: 0,
    disputes: 0,
    resolutions: 0,
    frozen: 0,
    calendar: 0,
    scans: 0,
    refused: 0,
    events: 0,
    checks: 0,
    creditNotOk: 0,
  };
  const openDisputes: { id: string; amount: bigint }[] = [];

  /** Every event written since the last check: its outstanding is the position as of its date. */
  async function checkNewEvents(): Promise<void> {
    const events = await scope.sql<{ seq: string; receivable_id: string; outstanding: string; as_of: string; type: string }>(
      `select seq::text, receivable_id, outstanding::text, as_of::text, type from overdue_event
        where seq > $1::bigint and type in ('BECAME_OVERDUE', 'STAGE_ESCALATED', 'CLEARED') order by seq`,
      [lastSeq],
    );
    for (const e of events) {
      const [position] = await forwardPositions(e.as_of, [e.receivable_id]);
      expect({ seq: e.seq, type: e.type, outstanding: e.outstanding }).toEqual({ seq: e.seq, type: e.type, outstanding: position?.position ?? '0.00' });
      lastSeq = e.seq;
      tally.events += 1;
    }
  }

  /**
   * Credit status after a scan: every customer's stored figures are today's (the incremental
   * evaluation missed no customer whose figures moved), and its status is what the last
   * CREDIT_STATUS_CHANGED event of the customer said (OK without one).
   */
  async function checkCredit(positions: Judged[]): Promise<void> {
    const customerOf = new Map(receivables.map((r) => [r.id, r.customerId]));
    const stored = await scope.sql<{ customer_id: string; highest_stage: number | null; overdue_amount: string; status: string; stream: string | null }>(
      `select c.id as customer_id, cc.highest_stage, coalesce(cc.overdue_amount, 0)::text as overdue_amount, coalesce(cc.status, 'OK') as status,
              (select e.state from overdue_event e where e.customer_id = c.id and e.type = 'CREDIT_STATUS_CHANGED' order by e.seq desc limit 1) as stream
         from customer c left join customer_credit cc on cc.customer_id = c.id order by c.id`,
    );
    for (const row of stored) {
      const own = positions.filter((p) => customerOf.get(p.id) === row.customer_id);
      const overdue = own.filter((p) => cents(p.position) > 0n && p.daysPast >= 1).reduce((sum, p) => sum + cents(p.position), 0n);
      const stages = own.map((p) => p.stage).filter((stage): stage is number => stage !== null);
      expect({ customer: row.customer_id, overdue: cents(row.overdue_amount), stage: row.highest_stage, status: row.status }).toEqual({
        customer: row.customer_id,
        overdue,
        stage: stages.length ? Math.max(...stages) : null,
        status: row.stream ?? 'OK',
      });
      if (row.status !== 'OK') tally.creditNotOk += 1;
    }
  }

  /** A ledger change the services may refuse (e.g. nothing left to allocate): refusals are counted, not hidden. */
  async function attempt(change: () => Promise<unknown>): Promise<boolean> {
    try {
      await change();
      return true;
    } catch (e) {
      if (!(e instanceof DomainError) || !['BAD_USER_INPUT', 'CONFLICT'].includes(e.code)) throw e;
      tally.refused += 1;
      return false;
    }
  }

  for (let day = 0; day < DAYS; day++) {
    const today = addDays(START, day);
    scope.setToday(today);
    const { services } = scope.unit();

    for (let n = rng.int(1, 4); n > 0; n--) {
      const customer = rng.pick(customers);
      const issuedOn = addDays(today, rng.chance(0.1) ? rng.int(1, 10) : -rng.int(0, 60));
      const receivable = await scope.make.receivable(customer.id, {
        amount: formatMoney(BigInt(rng.int(5, 400) * 100 + rng.int(0, 99))),
        issuedOn,
        dueOn: addDays(issuedOn, rng.int(0, 40)),
      });
      receivables.push({ id: receivable.id, customerId: customer.id, owner: customer.owner });
      tally.receivables += 1;
    }
    await checkNewEvents();

    for (let n = rng.int(0, 3); n > 0; n--) {
      const customer = rng.pick(customers);
      const ok = await attempt(async () => {
        const payment = await scope.make.payment(
          customer.id,
          { amount: formatMoney(BigInt(rng.int(10, 600) * 100)), receivedOn: addDays(today, -rng.int(0, 12)), lagReason: 'bank statement came late' },
          finance,
        );
        payments.push(payment.id);
      });
      if (ok) tally.payments += 1;
      await checkNewEvents();
    }

    if (rng.chance(0.3) && payments.length > 0) {
      // Credit applied later to whatever is due first.
      if (await attempt(() => services.payments.allocateCredit(finance, rng.pick(payments), undefined))) tally.credit += 1;
      await checkNewEvents();
    }
    if (rng.chance(0.06) && payments.length > 0) {
      if (await attempt(() => scope.unit().services.payments.void(finance, rng.pick(payments), 'bank reversed it'))) tally.voids += 1;
      await checkNewEvents();
    }
    if (rng.chance(0.08)) {
      if (await attempt(() => scope.unit().services.receivables.writeOff(finance, rng.pick(receivables).id, 'customer insolvent'))) tally.writeOffs += 1;
      await checkNewEvents();
    }
    if (rng.chance(0.15)) {
      const receivable = rng.pick(receivables);
      const notice = () =>
        scope.unit().services.receivables.reportPaymentNotice(receivable.owner, {
          receivableId: receivable.id,
          claimedPaidOn: addDays(today, -rng.int(0, 5)),
          note: 'customer says it is paid',
        });
      if (await attempt(notice)) tally.notices += 1;
      await checkNewEvents();
    }
    if (drng.chance(0.15)) {
      // A dispute, mostly of everything outstanding (the receivable leaves the chase), sometimes of a part.
      const receivable = drng.pick(receivables);
      const [row] = await scope.sql<{ outstanding: string; disputed: string }>(
        `select r.outstanding::text, coalesce((select sum(amount) from dispute d where d.receivable_id = r.id and d.state = 'OPEN'), 0)::text as disputed
           from receivable r where r.id = $1`,
        [receivable.id],
      );
      const free = cents(row.outstanding) - cents(row.disputed);
      const amount = free > 0n && drng.chance(0.3) ? BigInt(drng.int(1, Number(free))) : free;
      const open = () =>
        scope.unit().services.disputes.open(receivable.owner, {
          receivableId: receivable.id,
          amount: amount > 0n ? amount : parseMoney('1.00'),
          category: drng.pick(Object.values(DisputeCategory)),
          reason: 'customer contests it',
        });
      let opened: { id: string; amount: bigint } | undefined;
      if (await attempt(async () => (opened = await open()))) {
        tally.disputes += 1;
        openDisputes.push(opened!);
      }
      await checkNewEvents();
    }
    if (drng.chance(0.1) && openDisputes.length > 0) {
      const [dispute] = openDisputes.splice(drng.int(0, openDisputes.length - 1), 1);
      const outcome = drng.pick(Object.values(DisputeOutcome));
      const amount = outcome === DisputeOutcome.PARTIAL && dispute.amount > 1n ? BigInt(drng.int(1, Number(dispute.amount) - 1)) : undefined;
      const resolve = () =>
        scope
          .unit()
          .services.disputes.resolve(
            finance,
            dispute.id,
            amount === undefined && outcome === DisputeOutcome.PARTIAL ? DisputeOutcome.INVALID : outcome,
            'decided',
            amount,
          );
      if (await attempt(resolve)) tally.resolutions += 1;
      await checkNewEvents();
    }
    if (rng.chance(0.05)) {
      // A holiday declared ahead, or a weekend day made a working day: effective due dates move.
      const date = addDays(today, rng.int(1, 20));
      await scope.unit().services.calendar.setDay(date, isoWeekday(date) >= 6 ? DayKind.WORKDAY : DayKind.HOLIDAY, 'declared');
      tally.calendar += 1;
      await checkNewEvents();
    }

    if (!rng.chance(0.4)) continue; // no scan today: downtime
    const scan = await scope.unit().services.overdue.scan();
    tally.scans += 1;
    await checkNewEvents();

    const positions = await forwardPositions(today);
    // The server's position of a receivable on a day of its own (contact coverage's first
    // overdue day) is the same formula: here asked for this day of every receivable.
    const perRow = await scope.sql<{ reference: string; position: string }>(
      `select r.reference, ${positionOnSql('r', '$1::date').replaceAll(':tz', '$2')}::text as position
         from receivable r where r.issued_on <= $1::date order by r.reference`,
      [today, scope.config.timeZone],
    );
    expect(perRow.map((p) => [p.reference, p.position])).toEqual(positions.map((p) => [p.reference, p.position]));
    const overdue = positions.filter((p) => cents(p.position) > 0n && p.daysPast >= 1);
    const aging = await scope.unit().services.metrics.aging(scope.admin, today);
    const agedOverdue = aging.d1to30 + aging.d31to60 + aging.d61to90 + aging.over90;
    expect({ day: today, count: aging.overdueCount, amount: agedOverdue }).toEqual({
      day: today,
      count: overdue.length,
      amount: overdue.reduce((sum, p) => sum + cents(p.position), 0n),
    });
    const chased = positions.filter((p) => !p.frozen);
    tally.frozen += positions.length - chased.length;
    expect({ day: today, alarmed: chased.filter((p) => p.stage !== null).map((p) => p.reference) }).toEqual({
      day: today,
      alarmed: overdue.filter((p) => !p.held && !p.frozen).map((p) => p.reference),
    });
    for (const p of overdue.filter((o) => !o.held && !o.frozen))
      expect({ ref: p.reference, atLeast: p.stage! >= reached(p.daysPast)! }).toEqual({ ref: p.reference, atLeast: true });
    expect(scan.overdueCount).toBe(overdue.filter((p) => !p.held && !p.frozen).length + positions.filter((p) => p.frozen && p.stage !== null).length);
    tally.checks += 1;
    await checkCredit(positions);

    const stagesBefore = positions.map((p) => [p.reference, p.stage]);
    const full = await scope.unit().services.overdue.rejudgeAll();
    expect({ day: today, becameOverdue: full.becameOverdue, escalated: full.escalated, cleared: full.cleared }).toEqual({
      day: today,
      becameOverdue: 0,
      escalated: 0,
      cleared: 0,
    });
    expect((await forwardPositions(today)).map((p) => [p.reference, p.stage])).toEqual(stagesBefore);
  }

  // The money figure of the customer list is the aging report's, customer by customer.
  const today = scope.today();
  const loaders = scope.unit().loaders;
  const positions = await forwardPositions(today);
  const byId = new Map(receivables.map((r) => [r.id, r.customerId]));
  for (const customer of customers) {
    const expected = positions
      .filter((p) => byId.get(p.id) === customer.id && cents(p.position) > 0n && p.daysPast >= 1)
      .reduce((sum, p) => sum + cents(p.position), 0n);
    expect({ customer: customer.id, overdueAmount: (await loaders.customerBalances.load(customer.id)).overdueAmount }).toEqual({
      customer: customer.id,
      overdueAmount: formatMoney(expected),
    });
  }

  // The ledger really exercised what the test claims to cover.
  expect(tally.receivables).toBeGreaterThan(300);
  expect(tally.scans).toBeGreaterThan(40);
  expect(tally.events).toBeGreaterThan(300);
  expect(tally.creditNotOk).toBeGreaterThan(20);
  for (const kind of ['payments', 'credit', 'voids', 'writeOffs', 'notices', 'disputes', 'resolutions', 'frozen', 'calendar'] as const)
    expect({ kind, n: tally[kind] > 3 }).toEqual({ kind, n: true });
}, 600_000);

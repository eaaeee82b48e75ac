/**
 * A small, realistic demo ledger for the playground and the console: three salespeople, a
 * finance clerk and a manager, 50 customers, ~500 receivables over the last six months and
 * payments that arrived on time, late, partly, or were booked days after they arrived;
 * this month's goals and the weekly analyses of the last twelve weeks, so the manager's
 * dashboard has a trend on its first start.
 * Deterministic (seeded PRNG) and loaded only into a database without customers.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { hashPassword, Role } from '../core/auth';
import type { Config } from '../config';
import { Clock } from '../core/clock';
import { addDays, isoWeekday, type LocalDate } from '../core/local-date';
import { type Cents, minCents } from '../core/money';
import { Customer } from '../modules/customers/customer.entity';
import { Allocation } from '../modules/payments/allocation.entity';
import { Payment, PaymentMethod } from '../modules/payments/payment.entity';
import { Receivable } from '../modules/receivables/receivable.entity';
import { User } from '../modules/users/user.entity';
import { loadBusinessCalendar } from '../modules/calendar/calendar.service';
import { Goal, GoalPeriod, GoalScope } from '../modules/analytics/goal.entity';
import { GoalDirection, GoalMetric } from '../modules/analytics/metrics.formulas';
import { MetricsService } from '../modules/analytics/metrics.service';
import { WeeklyAnalysisService } from '../modules/analytics/weekly-analysis.service';

export const DEMO_PASSWORD = 'Lotus-Harbor-Demo-17';

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMPANY_WORDS = ['Jinhua', 'Tianyu', 'Hengtai', 'Xinda', 'Huaxing', 'Longsheng', 'Ruifeng', 'Baolian', 'Zhongke', 'Dongfang'];
const COMPANY_KINDS = ['Trading', 'Electronics', 'Foods', 'Textiles', 'Logistics'];

/** Returns a one-line summary, or undefined when the database already has customers. */
type DemoRules = Pick<Config, 'graceWorkingDays' | 'bookingLagLimitDays' | 'timeZone' | 'contactSlaWorkingDays'>;

const DEMO_WEEKS = 12;

export async function seedDemoData(orm: MikroORM, clock: Clock, rules: DemoRules): Promise<string | undefined> {
  const ledger = await seedDemoLedger(orm, clock, rules);
  if (!ledger) return undefined;
  // The weeks are stored as the schedule would have stored them, from the ledger as it stood at each week's end.
  const lastMonday = addDays(clock.today(), -(isoWeekday(clock.today()) - 1) - 7);
  for (let i = DEMO_WEEKS - 1; i >= 0; i--) {
    const em = orm.em.fork();
    await new WeeklyAnalysisService(em, clock, new MetricsService(em, rules.timeZone, rules.contactSlaWorkingDays), rules).publishScheduled(
      addDays(lastMonday, -7 * i),
    );
  }
  return `${ledger}, this month's goals, the weekly analyses of the last ${DEMO_WEEKS} weeks`;
}

async function seedDemoLedger(orm: MikroORM, clock: Clock, rules: DemoRules): Promise<string | undefined> {
  return orm.em.fork().transactional(async (em) => {
    if ((await em.count(Customer, {})) > 0) return undefined;
    const random = prng(20261129);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const user = (email: string, name: string, role: Role) => em.create(User, { email, name, role, passwordHash });
    const sales = [
      user('li.na@example.com', 'Li Na', Role.SALES),
      user('wang.wei@example.com', 'Wang Wei', Role.SALES),
      user('zhang.min@example.com', 'Zhang Min', Role.SALES),
    ];
    const finance = user('chen.jing@example.com', 'Chen Jing', Role.FINANCE);
    const manager = user('zhao.lei@example.com', 'Zhao Lei', Role.MANAGER);
    user('sun.li@example.com', 'Sun Li', Role.PROJECT_LEAD);

    // The same calendar and rules as the running server: effective due dates and lag reasons must agree with it.
    const calendar = await loadBusinessCalendar(em);
    const today = clock.today();
    let receivables = 0;
    let payments = 0;
    for (let i = 1; i <= 50; i++) {
      const owner = sales[i % sales.length];
      const customer = em.create(Customer, {
        code: `C${String(i).padStart(4, '0')}`,
        name: `${pick(COMPANY_WORDS)} ${pick(COMPANY_KINDS)} Co. ${i}`,
        ownerId: owner.id,
        creditTermDays: pick([15, 30, 30, 45, 60]),
        creditLimit: BigInt(pick([50_000, 100_000, 200_000])) * 100n,
      });
      for (let j = 1; j <= 10; j++) {
        const issuedOn: LocalDate = addDays(today, -Math.floor(random() * 180) - 1);
        const dueOn = addDays(issuedOn, customer.creditTermDays);
        const amount: Cents = BigInt(Math.floor(500 + random() * 49_500)) * 100n + BigInt(Math.floor(random() * 100));
        const receivable = em.create(Receivable, {
          customerId: customer.id,
          salespersonId: owner.id,
          reference: `INV-${customer.code}-${String(j).padStart(3, '0')}`,
          amount,
          issuedOn,
          dueOn,
          effectiveDueOn: calendar.effectiveDueOn(dueOn, rules.graceWorkingDays),
          outstanding: amount,
        });
        receivables++;
        // Most customers pay around the due date; some late, some partly, some not yet.
        const behaviour = random();
        if (behaviour < 0.2) continue;
        const receivedOn = addDays(dueOn, Math.floor(random() * 50) - 20);
        if (receivedOn > today) continue;
        const paid = behaviour < 0.3 ? (amount * BigInt(Math.floor(30 + random() * 60))) / 100n : amount;
        const lag = random() < 0.15 ? 3 + Math.floor(random() * 6) : Math.floor(random() * 2);
        const bookedOn = addDays(receivedOn, lag) > today ? today : addDays(receivedOn, lag);
        const payment = em.create(Payment, {
          customerId: customer.id,
          amount: paid,
          unallocated: 0n,
          receivedOn,
          bookedAt: new Date(`${bookedOn}T02:00:00Z`),
          bookedById: finance.id,
          bookingLagDays: calendar.workingDaysAfter(receivedOn, bookedOn),
          lagReason: calendar.workingDaysAfter(receivedOn, bookedOn) > rules.bookingLagLimitDays ? 'Bank statement arrived late' : null,
          method: pick([PaymentMethod.BANK_TRANSFER, PaymentMethod.BANK_TRANSFER, PaymentMethod.MOBILE, PaymentMethod.CHECK]),
          reference: `BANK-${i}-${j}`,
        });
        const applied = minCents(paid, receivable.outstanding);
        em.create(Allocation, { paymentId: payment.id, receivableId: receivable.id, amount: applied, receivedOn, issuedOn: receivable.issuedOn });
        receivable.outstanding -= applied;
        payments++;
      }
    }
    // This month's goals: each salesperson's collection rate, and a ceiling on the company's overdue money.
    const monthStart = `${today.slice(0, 8)}01`;
    const [y, m] = today.split('-').map(Number);
    const monthEnd = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    const goal = { period: GoalPeriod.MONTH, periodStart: monthStart, periodEnd: monthEnd, createdById: manager.id };
    em.create(Goal, {
      ...goal,
      metric: GoalMetric.COLLECTION_RATE,
      direction: GoalDirection.AT_LEAST,
      target: '0.9',
      scope: GoalScope.EVERY_SALESPERSON,
      weight: 2,
    });
    em.create(Goal, { ...goal, metric: GoalMetric.OVERDUE_AMOUNT, direction: GoalDirection.AT_MOST, target: '500000', scope: GoalScope.COMPANY, weight: 1 });
    return `${sales.length} salespeople (password "${DEMO_PASSWORD}"), 50 customers, ${receivables} receivables, ${payments} payments`;
  });
}

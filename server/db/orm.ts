/**
 * MikroORM on PostgreSQL: configuration, start-up (with migrations) and a statement
 * counter. Entities are listed explicitly and migrations are imported as classes, so
 * the same code runs from TypeScript (tests) and from compiled output (npm start).
 */
import { MikroORM, Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AppSetting } from './app-setting.entity';
import { Migration20261129000000_ledger } from './migrations/Migration20261129000000_ledger';
import { Migration20261129010000_overdue } from './migrations/Migration20261129010000_overdue';
import { Migration20261129020000_analytics } from './migrations/Migration20261129020000_analytics';
import { Goal } from '../modules/analytics/goal.entity';
import { User } from '../modules/users/user.entity';
import { ApiToken } from '../modules/users/api-token.entity';
import { Customer } from '../modules/customers/customer.entity';
import { Receivable } from '../modules/receivables/receivable.entity';
import { PaymentNotice } from '../modules/receivables/payment-notice.entity';
import { Payment } from '../modules/payments/payment.entity';
import { Allocation } from '../modules/payments/allocation.entity';
import { CalendarDayOverride } from '../modules/calendar/calendar-day.entity';
import { Migration20261129030000_feedback } from './migrations/Migration20261129030000_feedback';
import { Migration20261129040000_aging_indexes } from './migrations/Migration20261129040000_aging_indexes';
import { FeedbackItem, FeedbackItemStep, FeedbackReport } from '../modules/feedback/feedback-report.entity';
import { ImprovementProposal } from '../modules/feedback/improvement-proposal.entity';

export const ENTITIES = [AppSetting, User, ApiToken, Customer, Receivable, PaymentNotice, Payment, Allocation, CalendarDayOverride, Goal, FeedbackReport, FeedbackItem, FeedbackItemStep, ImprovementProposal];

/** Every migration, in order. Add new ones at the end. */
export const MIGRATIONS = [
  { name: 'Migration20261129000000_ledger', class: Migration20261129000000_ledger },
  { name: 'Migration20261129010000_overdue', class: Migration20261129010000_overdue },
  { name: 'Migration20261129020000_analytics', class: Migration20261129020000_analytics },
  { name: 'Migration20261129030000_feedback', class: Migration20261129030000_feedback },
  { name: 'Migration20261129040000_aging_indexes', class: Migration20261129040000_aging_indexes },
];

export interface OrmOptions {
  databaseUrl: string;
  logSql?: boolean;
  poolMax?: number;
  /** How long a caller waits for a pooled connection before it fails (knex's acquireTimeoutMillis). */
  acquireTimeoutMs?: number;
  /** PostgreSQL statement_timeout of every connection of this pool; unset: unbounded. */
  statementTimeoutMs?: number;
  /** Called for every SQL statement the ORM sends. */
  onStatement?: (sql: string) => void;
}

export function ormConfig(options: OrmOptions): Options {
  return {
    clientUrl: options.databaseUrl,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: { min: 0, max: options.poolMax ?? 10, ...(options.acquireTimeoutMs ? { acquireTimeoutMillis: options.acquireTimeoutMs } : {}) },
    // node-postgres sends statement_timeout as a start-up parameter of each new connection.
    ...(options.statementTimeoutMs ? { driverOptions: { connection: { statement_timeout: options.statementTimeoutMs } } } : {}),
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: options.logSql ?? false,
    ensureDatabase: false,
  };
}

export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  if (options.onStatement) {
    const onStatement = options.onStatement;
    orm.em.getConnection().getKnex().on('query', (q: { sql: string }) => onStatement(q.sql));
  }
  return orm;
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}

/**
 * The base schema shared by the ledger areas (users, calendar, customers, receivables,
 * payments): it predates the per-area layout and spans those areas' tables, so it stays
 * here. An area's own migrations live in `modules/<area>/migrations/` and are listed by
 * its module description; the root runs all of them ordered by name (a timestamp).
 */
import type { MigrationEntry } from '../../core/module';
import { Migration20261129000000_ledger } from './Migration20261129000000_ledger';
import { Migration20261129040000_aging_indexes } from './Migration20261129040000_aging_indexes';
import { Migration20261210000000_receivable_credits } from './Migration20261210000000_receivable_credits';

export const BASE_MIGRATIONS: MigrationEntry[] = [
  { name: 'Migration20261129000000_ledger', class: Migration20261129000000_ledger },
  { name: 'Migration20261129040000_aging_indexes', class: Migration20261129040000_aging_indexes },
  { name: 'Migration20261210000000_receivable_credits', class: Migration20261210000000_receivable_credits },
];

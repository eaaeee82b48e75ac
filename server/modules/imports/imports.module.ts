/**
 * The imports area (issue 12): customers, receivables and bank-statement lines in bulk
 * from an ERP or a bank, the runs that brought them and the suspense list of bank lines
 * no customer was found for. It sits above payments and writes through the rules of the
 * areas below (their validators, recordPayment for a line applied later).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../context';
import { defineArea, type RequestScope } from '../../core/module';
import { ImportErrorReason } from './import.errors';
import { createImportLoaders } from './import.loaders';
import { CustomerPayerAccountsResolver, ImportResolver } from './import.resolver';
import { ImportService } from './import.service';
import { Migration20261222010000_imports } from './migrations/Migration20261222010000_imports';

declare module '../../context' {
  interface Services {
    imports: ImportService;
  }
  interface Loaders extends ReturnType<typeof createImportLoaders> {}
}

export const importsArea = defineArea({
  name: 'imports',
  migrations: [{ name: 'Migration20261222010000_imports', class: Migration20261222010000_imports }],
  resolvers: [ImportResolver, CustomerPayerAccountsResolver],
  reasons: ImportErrorReason,
  setup: ({ config }) => ({
    services: ({ em, clock, events }: RequestScope, lower: Services) => ({
      imports: new ImportService(em, clock, events, lower.payments, {
        graceWorkingDays: config.graceWorkingDays,
        bookingLagLimitDays: config.bookingLagLimitDays,
        timeZone: config.timeZone,
      }),
    }),
    loaders: (em: EntityManager) => createImportLoaders(em),
    downloads: [
      {
        path: '/imports/:id/errors.csv',
        answer: async (context, request) => ({
          contentType: 'text/csv; charset=utf-8',
          filename: `import-${request.params.id}-errors.csv`,
          body: await context.services.imports.errorsCsv(context.principal!, request.params.id),
        }),
      },
    ],
  }),
});

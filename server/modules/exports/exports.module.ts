/**
 * The exports area (issue 12, "Exports that the same users ask for"): a customer's
 * statement (`customerStatement`, and as CSV for sending to the customer) and CSV/XLSX
 * downloads of the aging report and the collection worklist. It sits above analytics and
 * the worklist and calls their services, so a download carries the figures of the query;
 * it owns no table. Its downloads are the routes listed below (core/download.ts).
 */
import { defineArea, type RequestScope } from '../../core/module';
import type { Context, Services } from '../../context';
import type { DownloadRequest } from '../../core/download';
import { ExportService } from './exports.service';
import { StatementResolver } from './statement.resolver';
import { StatementService } from './statement.service';

declare module '../../context' {
  interface Services {
    statements: StatementService;
    exports: ExportService;
  }
}

export const exportsArea = defineArea({
  name: 'exports',
  resolvers: [StatementResolver],
  setup: ({ config }) => ({
    services: ({ em }: RequestScope, lower: Services) => {
      const statements = new StatementService(em, lower.customers, config.timeZone);
      return { statements, exports: new ExportService(em, statements, lower.metrics, lower.worklist) };
    },
    downloads: [
      {
        path: '/customers/:id/statement.csv',
        answer: (context, request) =>
          context.services.exports.statementCsv(
            context.principal!,
            request.params.id,
            request.date('asOf') ?? context.clock.today(),
            request.flag('openItemsOnly') ?? true,
          ),
      },
      ...(['csv', 'xlsx'] as const).flatMap((format) => [
        {
          path: `/reports/aging.${format}`,
          answer: (context: Context, request: DownloadRequest) =>
            context.services.exports.aging(context.principal!, format, request.date('asOf') ?? context.clock.today(), request.text('salespersonId')),
        },
        {
          path: `/reports/worklist.${format}`,
          answer: (context: Context, request: DownloadRequest) =>
            context.services.exports.worklistTable(context.principal!, format, request.date('date') ?? context.clock.today(), request.text('salespersonId')),
        },
      ]),
    ],
  }),
});

/**
 * Downloads of the tables users paste into spreadsheets: a customer's statement (CSV),
 * the aging report and the collection worklist (CSV and XLSX). Each calls the service
 * that answers the GraphQL query — `customerStatement`, `agingReport`,
 * `collectionWorklist` — with the same permission and visibility, and only lays out its
 * answer: no figure is computed here.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Permission, requireAccess } from '../../core/access';
import { Principal } from '../../core/auth';
import { type LocalDate } from '../../core/local-date';
import { type MetricsService } from '../analytics/metrics.service';
import { SalespersonAging } from '../analytics/analytics.types';
import { User } from '../users/user.entity';
import { type WorklistService } from '../worklist/worklist.service';
import { WorklistItem } from '../worklist/worklist.types';
import { type StatementService } from './statement.service';
import { StatementItem } from './statement.types';
import { type Column, type Table, toCsv, toXlsx } from './tables';
import { formatMoney } from '../../core/money';
import type { DownloadFile } from '../../core/download';

export type DownloadFormat = 'csv' | 'xlsx';

const CSV_TYPE = 'text/csv; charset=utf-8';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const STATEMENT_COLUMNS: readonly Column<StatementItem>[] = [
  { header: 'reference', kind: 'text', value: (i) => i.reference },
  { header: 'issuedOn', kind: 'date', value: (i) => i.issuedOn },
  { header: 'dueOn', kind: 'date', value: (i) => i.dueOn },
  { header: 'effectiveDueOn', kind: 'date', value: (i) => i.effectiveDueOn },
  { header: 'amount', kind: 'money', value: (i) => i.amount },
  { header: 'outstanding', kind: 'money', value: (i) => i.outstanding },
  { header: 'daysOverdue', kind: 'int', value: (i) => i.daysOverdue },
  { header: 'disputedAmount', kind: 'money', value: (i) => i.disputedAmount },
  { header: 'promisedOn', kind: 'date', value: (i) => i.promise?.promisedOn ?? null },
  { header: 'promiseAmount', kind: 'money', value: (i) => i.promise?.amount ?? null },
  { header: 'promiseState', kind: 'text', value: (i) => i.promise?.state ?? null },
  { header: 'disputeState', kind: 'text', value: (i) => i.dispute?.state ?? null },
  { header: 'disputeAmount', kind: 'money', value: (i) => i.dispute?.amount ?? null },
];

type AgingRow = SalespersonAging & { salespersonName: string };

const AGING_COLUMNS: readonly Column<AgingRow>[] = [
  { header: 'salespersonId', kind: 'text', value: (r) => r.salespersonId },
  { header: 'salesperson', kind: 'text', value: (r) => r.salespersonName },
  { header: 'total', kind: 'money', value: (r) => r.total },
  { header: 'current', kind: 'money', value: (r) => r.current },
  { header: 'd1to30', kind: 'money', value: (r) => r.d1to30 },
  { header: 'd31to60', kind: 'money', value: (r) => r.d31to60 },
  { header: 'd61to90', kind: 'money', value: (r) => r.d61to90 },
  { header: 'over90', kind: 'money', value: (r) => r.over90 },
  { header: 'disputed', kind: 'money', value: (r) => r.disputed },
  { header: 'receivables', kind: 'int', value: (r) => r.receivables },
  { header: 'overdueCount', kind: 'int', value: (r) => r.overdueCount },
];

const WORKLIST_COLUMNS: readonly Column<WorklistItem>[] = [
  { header: 'priority', kind: 'int', value: (w) => w.priority },
  { header: 'customerCode', kind: 'text', value: (w) => w.customerCode },
  { header: 'customerName', kind: 'text', value: (w) => w.customerName },
  { header: 'customerId', kind: 'text', value: (w) => w.customerId },
  { header: 'ownerId', kind: 'text', value: (w) => w.ownerId },
  { header: 'outstanding', kind: 'money', value: (w) => w.outstanding },
  { header: 'overdueAmount', kind: 'money', value: (w) => w.overdueAmount },
  { header: 'chasedOverdueAmount', kind: 'money', value: (w) => w.chasedOverdueAmount },
  { header: 'dueSoonAmount', kind: 'money', value: (w) => w.dueSoonAmount },
  { header: 'nextDueOn', kind: 'date', value: (w) => w.nextDueOn },
  { header: 'highestStage', kind: 'int', value: (w) => w.highestStage },
  { header: 'daysOverdue', kind: 'int', value: (w) => w.daysOverdue },
  { header: 'overdueReceivables', kind: 'int', value: (w) => w.overdueReceivables },
  { header: 'promisedOn', kind: 'date', value: (w) => w.promise?.promisedOn ?? null },
  { header: 'promiseAmount', kind: 'money', value: (w) => w.promise?.amount ?? null },
  { header: 'promiseState', kind: 'text', value: (w) => w.promise?.state ?? null },
  { header: 'brokenPromises', kind: 'int', value: (w) => w.brokenPromises },
  { header: 'openDisputes', kind: 'int', value: (w) => w.openDisputes },
  { header: 'disputedAmount', kind: 'money', value: (w) => w.disputedAmount },
  { header: 'lastContactOn', kind: 'date', value: (w) => w.lastContactOn },
  { header: 'daysSinceContact', kind: 'int', value: (w) => w.daysSinceContact },
  { header: 'nextActionOn', kind: 'date', value: (w) => w.nextActionOn },
  { header: 'creditStatus', kind: 'text', value: (w) => w.creditStatus },
];

/** The worklist is read in pages of this size (the query's largest). */
const WORKLIST_PAGE = 200;

export class ExportService {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: StatementService,
    private readonly metrics: MetricsService,
    private readonly worklist: WorklistService,
  ) {}

  /** `customerStatement` as CSV: a title line, the items, then the totals and the unallocated credit. */
  async statementCsv(principal: Principal, customerId: string, asOf: LocalDate, openItemsOnly: boolean): Promise<DownloadFile> {
    const s = await this.statements.statement(principal, customerId, asOf, openItemsOnly);
    const body = toCsv(
      { columns: STATEMENT_COLUMNS, rows: s.items },
      [['statement', s.customerCode, s.customerName, 'asOf', s.asOf]],
      [
        ['totalOutstanding', formatMoney(s.totalOutstanding)],
        ['totalOverdue', formatMoney(s.totalOverdue)],
        ['totalDisputed', formatMoney(s.totalDisputed)],
        ['unallocatedCredit', formatMoney(s.unallocatedCredit)],
      ],
    );
    return { contentType: CSV_TYPE, filename: `statement-${s.customerCode}-${asOf}.csv`, body };
  }

  /** `agingReport(asOf, salespersonId)`: one row per salesperson (bySalesperson, by name), then the total (salespersonId empty). */
  async aging(principal: Principal, format: DownloadFormat, asOf: LocalDate, salespersonId: string | undefined): Promise<DownloadFile> {
    requireAccess(principal, Permission.COLLECTION_STATS_READ);
    const report = await this.metrics.aging(principal, asOf, salespersonId);
    const ids = report.bySalesperson.map((r) => r.salespersonId);
    const users = ids.length ? await this.em.find(User, { id: { $in: ids } }) : [];
    const names = new Map(users.map((u) => [u.id, u.name]));
    const rows: AgingRow[] = [
      ...report.bySalesperson.map((r) => ({ ...r, salespersonName: names.get(r.salespersonId) ?? '' })),
      { ...report, salespersonId: '', salespersonName: 'TOTAL' },
    ];
    return this.download(format, `aging-${asOf}`, 'Aging', { columns: AGING_COLUMNS, rows });
  }

  /** `collectionWorklist(date, salespersonId)`: every item, highest priority first. */
  async worklistTable(principal: Principal, format: DownloadFormat, date: LocalDate, salespersonId: string | undefined): Promise<DownloadFile> {
    requireAccess(principal, Permission.WORKLIST_READ);
    const rows: WorklistItem[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.worklist.page(principal, date, salespersonId, WORKLIST_PAGE, after);
      rows.push(...page.nodes);
      if (!page.hasNextPage || page.nodes.length === 0) break;
      after = page.cursorOf(page.nodes[page.nodes.length - 1]);
    }
    return this.download(format, `worklist-${date}`, 'Worklist', { columns: WORKLIST_COLUMNS, rows });
  }

  private async download<Row>(format: DownloadFormat, name: string, sheet: string, table: Table<Row>): Promise<DownloadFile> {
    if (format === 'csv') return { contentType: CSV_TYPE, filename: `${name}.csv`, body: toCsv(table) };
    return { contentType: XLSX_TYPE, filename: `${name}.xlsx`, body: await toXlsx(sheet, table) };
  }
}

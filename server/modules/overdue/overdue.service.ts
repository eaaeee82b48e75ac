/**
 * The overdue engine. A scan judges, as of a business date, every receivable that is
 * unpaid past its effective due date or already in an overdue state, in one set-based
 * statement: outstanding as of that date counts payments by the date the money
 * arrived (`received_on`), an open payment notice holds the alarm back, and the stage is
 * the last threshold (OVERDUE_STAGES) reached. Every transition updates the receivable
 * and appends one event in the same transaction; NOTIFY wakes every instance at commit.
 * Scans are serialised by an advisory lock, so events are never duplicated and their
 * sequence numbers commit in order. It also serves the event stream to callers: pages
 * for polling and subscriptions (replay, then live events from the hub). The SQL is in
 * overdue.queries.ts.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { Clock } from '../../core/clock';
import { isAfter, type LocalDate } from '../../core/local-date';
import { badInput, CoreErrorReason } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { lockForTransaction } from '../../db/locks';
import { decodeEventCursor } from './overdue.events';
import { OverdueEventHub } from './overdue.hub';
import { countEvents, NOTIFY, OVERDUE_CHANNEL, OVERDUE_COUNT, readEvents, REEVALUATION_DATE, SCAN } from './overdue.queries';
import { overdueEventStream, type UnitOfWork } from './overdue.stream';
import { OverdueEvent, OverdueEventConnection, OverdueEventFilter, OverdueEventType, OverdueScanResult } from './overdue.types';

type ScanObserver = (result: OverdueScanResult) => void;
let observeScan: ScanObserver = () => undefined;

/** Where finished scans are reported (the process's metrics); set once at start-up. */
export function setScanObserver(observer: ScanObserver): void {
  observeScan = observer;
}
const SCAN_LOCK = 0x68_6b_73_63; // "hksc"

export interface OverdueRules {
  stages: number[];
  timeZone: string;
}

interface ScanScope {
  asOf: LocalDate;
  /** Only these receivables (re-evaluation after a ledger change). */
  receivableIds?: string[];
  /** Skip instead of waiting when another scan holds the lock (scheduled scans). */
  skipIfBusy?: boolean;
}

export class OverdueService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly rules: OverdueRules,
    private readonly hub: OverdueEventHub,
  ) {}

  /**
   * Scans every receivable as of `asOf` (default: today in the company time zone). A
   * future date is refused: its alarms would be stored in the append-only stream and
   * its stages would never go back down.
   */
  async scan(asOf: LocalDate = this.clock.today(), options: { skipIfBusy?: boolean } = {}): Promise<OverdueScanResult> {
    const today = this.clock.today();
    if (isAfter(asOf, today)) throw badInput('asOf', `asOf ${asOf} is in the future (today is ${today})`, CoreErrorReason.DATE_IN_FUTURE);
    return this.run({ asOf, skipIfBusy: options.skipIfBusy });
  }

  /**
   * Judges these receivables again after a payment, void, write-off or notice, as of the
   * later of today and the date their state was last judged.
   */
  async reevaluate(receivableIds: string[]): Promise<void> {
    if (receivableIds.length === 0) return;
    const asOf = await REEVALUATION_DATE.one(this.em, { today: this.clock.today(), ids: receivableIds });
    await this.run({ asOf, receivableIds });
  }

  private async run(scope: ScanScope): Promise<OverdueScanResult> {
    const started = Date.now();
    const result = await this.em.fork().transactional(async (em) => {
      const result: OverdueScanResult = {
        asOf: scope.asOf,
        ran: true,
        becameOverdue: 0,
        escalated: 0,
        cleared: 0,
        overdueCount: 0,
        durationMs: 0,
      };
      if (!(await lockForTransaction(em, SCAN_LOCK, { skipIfBusy: scope.skipIfBusy }))) return { ...result, ran: false };
      const counts = await SCAN.all(em, {
        asOf: scope.asOf,
        ids: scope.receivableIds ?? null,
        tz: this.rules.timeZone,
        stages: this.rules.stages,
      });
      for (const c of counts) {
        if (c.type === OverdueEventType.BECAME_OVERDUE) result.becameOverdue = c.count;
        if (c.type === OverdueEventType.STAGE_ESCALATED) result.escalated = c.count;
        if (c.type === OverdueEventType.CLEARED) result.cleared = c.count;
      }
      const lastSeq = counts.reduce((max, c) => (BigInt(c.lastSeq) > BigInt(max) ? c.lastSeq : max), '0');
      if (lastSeq !== '0') await NOTIFY.one(em, { channel: OVERDUE_CHANNEL, payload: lastSeq });
      result.overdueCount = await OVERDUE_COUNT.one(em);
      result.durationMs = Date.now() - started;
      return result;
    });
    if (result.ran) observeScan(result);
    return result;
  }

  /** A page of the event stream, oldest first, as far as the caller may see it (polling). */
  async events(
    principal: Principal,
    after: string | undefined,
    first: number | undefined,
    filter: OverdueEventFilter | undefined,
  ): Promise<OverdueEventConnection> {
    const size = pageSize(first);
    const events = await readEvents(this.em, { afterSeq: decodeEventCursor(after), limit: size + 1, filter, principal });
    const nodes = events.slice(0, size);
    return {
      edges: nodes.map((node) => ({ node, cursor: node.cursor })),
      nodes,
      totalCount: await countEvents(this.em, { filter, principal }),
      pageInfo: { hasNextPage: events.length > size, endCursor: nodes.length ? nodes[nodes.length - 1].cursor : (after ?? null) },
    };
  }

  /**
   * A subscriber's stream: every stored event after `after`, then live ones. Not async:
   * a bad cursor is refused now, as an error of the subscription, not of a later event.
   */
  subscribe(
    principal: Principal,
    after: string | undefined,
    filter: OverdueEventFilter | undefined,
    unitOfWork: UnitOfWork,
  ): AsyncIterableIterator<OverdueEvent> {
    const startSeq = decodeEventCursor(after);
    return overdueEventStream(this.hub, this.em.fork(), unitOfWork, principal, startSeq, filter);
  }
}

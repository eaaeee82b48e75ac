/**
 * The overdue engine. A judgement decides, as of a business date, the overdue stage of
 * receivables in one set-based statement (overdue.queries.ts): money is the position as
 * of that date (server/db/positions.ts, the aging report's building block), an open
 * payment notice holds the alarm back, and the stage is the last threshold
 * (OVERDUE_STAGES) reached. Every transition updates the state and appends one event in
 * the same transaction; NOTIFY wakes every instance at commit.
 *
 * - **Incremental.** Each receivable's state carries its next judgement date, or, when only
 *   the date can change its judgement, the effective due date its stages follow (on
 *   schedule: not rewritten when a date moves it, its stage derived as of the engine's date
 *   by `receivable_alarm`); a scan judges only the receivables whose date has come, and
 *   those the ledger, a notice or the calendar changed (marked by trigger in the changing
 *   transaction).
 * - **Time moves forward.** The engine's date is the last scan's; a scan of an earlier
 *   date is refused (SCAN_DATE_BEFORE_LAST_SCAN). Questions about past dates are the
 *   aging report's. After downtime a scan of today judges everything whose date passed in
 *   the days no scan covered, as of today, and says so in its result.
 * - **Changes at once.** After a ledger or calendar change commits, the changed
 *   receivables are judged as of the engine's date (re-evaluation); before the first scan
 *   they wait for it.
 *
 * Judgements are serialised by an advisory lock (also taken shared by the change
 * triggers), so events are never duplicated and their sequence numbers commit in order.
 * The service also serves the event stream: pages for polling, and subscriptions (replay,
 * then live events through the process's fan-out).
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { Clock } from '../../core/clock';
import { isAfter, isBefore, type LocalDate } from '../../core/local-date';
import { ApiErrorCode, badInput, conflict, CoreErrorReason, DomainError, notFound } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { ExtensionPoint } from '../../core/extension-points';
import { lockForTransaction } from '../../db/locks';
import { decodeEventCursor } from './overdue.events';
import { OverdueErrorReason } from './overdue.errors';
import { type OverdueCaller, OverdueFanOut } from './overdue.fanout';
import {
  ANALYZE_CANDIDATES,
  ANALYZE_CANDIDATES_FROM,
  BEGIN_JUDGEMENT,
  CLOSE_SCAN_LOG,
  countEvents,
  ENGINE_DATE,
  JUDGE,
  JUDGED_PAGE,
  JUDGEMENT_TABLE,
  type JudgementScope,
  OPEN_JUDGEMENT,
  readEvents,
  type ScanKind,
  SCAN_LOCK,
  SCAN_LOG,
} from './overdue.queries';
import { type SharedStream } from '../../core/shared-subscription';
import { OverdueEventConnection, OverdueEventFilter, OverdueScanResult } from './overdue.types';

/** What a scan participant is given: the judgement's transaction and date. */
export interface ScanParticipantRun {
  /** The judgement's transaction: it holds the scan lock; events appended here (appendOverdueEvent) follow the alarms. */
  em: EntityManager;
  /** The business date judged (a re-evaluation's: the engine's date). */
  asOf: LocalDate;
  /** SCAN (moves the engine's date), REEVALUATION (right after a ledger change, as of the engine's date) or FULL (rejudgeAll). */
  kind: ScanKind;
  /** The engine's date before this judgement; null before the first scan. */
  previousEngineDate: LocalDate | null;
  /**
   * The customers of the receivables this judgement took (also any other whose engine
   * figures it moved: customerOverdueFiguresSql), sorted. No other customer's figures
   * moved, and what the participants judged before (promises) is about these receivables.
   */
  judgedCustomerIds: readonly string[];
}

/**
 * Work a higher area does in every judgement (SCAN_PARTICIPANTS): e.g. judging promises
 * to pay as of the same date. It runs inside the judgement's transaction, after the
 * receivables are judged, in registry order; a failure rolls the whole judgement back.
 */
export interface ScanParticipant {
  name: string;
  afterJudgement(run: ScanParticipantRun): Promise<void>;
}

/** Higher areas add their participants here in their `setup` (`app.extensions.add(SCAN_PARTICIPANTS, …)`). */
export const SCAN_PARTICIPANTS = new ExtensionPoint<ScanParticipant>('overdue.scanParticipants');

/**
 * Sees every scan that ran, with how long it took until committed (`committedMs`, from the
 * start of its transaction to the end of its commit): its `durationMs`, kept in its log row
 * inside the transaction, stops before the commit.
 */
type ScanObserver = (result: OverdueScanResult, committedMs: number) => void;
let observeScan: ScanObserver = () => undefined;

/** Where finished scans are reported (the process's metrics); set once at start-up. */
export function setScanObserver(observer: ScanObserver): void {
  observeScan = observer;
}

/** How long the log of a scan (its judged receivables) is kept. */
export const SCAN_LOG_DAYS = 35;

export interface OverdueRules {
  stages: number[];
  timeZone: string;
}

interface Judgement {
  kind: ScanKind;
  /** The date to judge as of; undefined: the engine's date (re-evaluation). */
  asOf?: LocalDate;
  scope: JudgementScope;
  /** Skip instead of waiting when another judgement holds the lock (scheduled scans). */
  skipIfBusy?: boolean;
}

export class OverdueService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly rules: OverdueRules,
    private readonly fanOut: OverdueFanOut,
    /** The participants plugged into SCAN_PARTICIPANTS (a live list). */
    private readonly participants: readonly ScanParticipant[] = [],
  ) {}

  /**
   * Scans as of `asOf` (default: today in the company time zone) and makes it the
   * engine's date. A future date is refused: its alarms would be stored in the
   * append-only stream. So is a date before the last scan: the alarm state and the event
   * stream move forward with the business date.
   */
  async scan(asOf: LocalDate = this.clock.today(), options: { skipIfBusy?: boolean } = {}): Promise<OverdueScanResult> {
    const today = this.clock.today();
    if (isAfter(asOf, today)) throw badInput('asOf', `asOf ${asOf} is in the future (today is ${today})`, CoreErrorReason.DATE_IN_FUTURE);
    return this.judge({ kind: 'SCAN', asOf, scope: 'due', skipIfBusy: options.skipIfBusy });
  }

  /**
   * Judges every receivable again as of the engine's date, whatever its next judgement
   * date says: the check that incremental scans missed nothing (a correct engine writes
   * no event). Refused before the first scan.
   */
  async rejudgeAll(): Promise<OverdueScanResult> {
    return this.judge({ kind: 'FULL', scope: 'all' });
  }

  /**
   * Judges what changed (a payment, void, write-off, notice, calendar day) as of the
   * engine's date, right after the change committed. Before the first scan there is no
   * alarm state to keep current: the first scan judges them.
   */
  async reevaluate(receivableIds: string[]): Promise<void> {
    if (receivableIds.length === 0) return;
    await this.judge({ kind: 'REEVALUATION', scope: 'due' });
  }

  /** The date the alarm state is valid for (the last scan's); null before the first scan. */
  async engineDate(): Promise<LocalDate | null> {
    return (await ENGINE_DATE.maybeOne(this.em)) ?? null;
  }

  private async judge(judgement: Judgement): Promise<OverdueScanResult> {
    const started = Date.now();
    const result = await this.em.fork().transactional(async (em): Promise<OverdueScanResult | null> => {
      if (!(await lockForTransaction(em, SCAN_LOCK, { skipIfBusy: judgement.skipIfBusy }))) return null;
      const { engineDate, engineStages, candidatesTable } = await BEGIN_JUDGEMENT.one(em);
      const asOf = judgement.asOf ?? engineDate;
      if (asOf === null) {
        if (judgement.kind === 'FULL') throw conflict('there is no alarm state to check before the first overdue scan', OverdueErrorReason.NO_SCAN_YET);
        return null;
      }
      if (engineDate !== null && isBefore(asOf, engineDate)) {
        throw new DomainError(
          ApiErrorCode.CONFLICT,
          `the last overdue scan judged ${engineDate}: alarms move forward with the business date (agingReport answers for ${asOf})`,
          OverdueErrorReason.SCAN_DATE_BEFORE_LAST_SCAN,
          'asOf',
          { lastScanOn: engineDate },
        );
      }
      const previousScanOn = judgement.kind === 'SCAN' ? engineDate : null;
      if (!candidatesTable) await JUDGEMENT_TABLE.run(em);
      // State judged with other stage thresholds (OVERDUE_STAGES changed) is judged again, all of it:
      // rows on schedule would otherwise derive their stages with the new ones, unjudged.
      const restaged = engineStages !== null && engineStages.join() !== this.rules.stages.join();
      const scope = restaged ? 'all' : judgement.scope;
      // A scan also moves the engine's date; re-evaluations and full re-judgements judge as of it.
      const { scanId, unkept } = await OPEN_JUDGEMENT[scope].one(em, { kind: judgement.kind, asOf, previousScanOn, stages: this.rules.stages });
      if (unkept >= ANALYZE_CANDIDATES_FROM) await ANALYZE_CANDIDATES.run(em);
      const { judged, customerIds } = await JUDGE.one(em, { asOf, tz: this.rules.timeZone, stages: this.rules.stages, scanId });
      for (const participant of this.participants) {
        await participant.afterJudgement({ em, asOf, kind: judgement.kind, previousEngineDate: engineDate, judgedCustomerIds: customerIds });
      }
      const logged = await CLOSE_SCAN_LOG.one(em, { scanId, durationMs: Date.now() - started, days: SCAN_LOG_DAYS });
      return judged > 0 ? logged : { ...logged, id: null };
    });
    if (result === null) return skipped(judgement.asOf ?? this.clock.today());
    observeScan(result, Date.now() - started);
    return result;
  }

  /** A scan's figures as its log keeps them; NOT_FOUND when unknown or no longer kept. */
  async scanLog(id: string): Promise<OverdueScanResult> {
    const logged = /^[0-9]{1,18}$/.test(id) ? await SCAN_LOG.maybeOne(this.em, { id }) : undefined;
    if (!logged) throw notFound('Overdue scan', id);
    return logged;
  }

  /** Rows `offset + 1 …` (at most `limit`) of the receivables a scan judged, by their place in it. */
  judgedPage(scanId: string, offset: number, limit: number): Promise<{ id: string; position: number }[]> {
    return JUDGED_PAGE.all(this.em, { scanId, offset, limit });
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
  subscribe(principal: Principal, after: string | undefined, filter: OverdueEventFilter | undefined, caller: OverdueCaller): SharedStream {
    const startSeq = decodeEventCursor(after);
    return this.fanOut.subscription({ principal, startSeq, filter, em: this.em.fork(), ...caller });
  }
}

/** The answer when another scan held the lock (or, for a re-evaluation, before the first scan). */
function skipped(asOf: LocalDate): OverdueScanResult {
  return {
    id: null,
    asOf,
    previousScanOn: null,
    missedDays: 0,
    ran: false,
    judged: 0,
    judgedLate: 0,
    judgedChanged: 0,
    becameOverdue: 0,
    escalated: 0,
    cleared: 0,
    overdueCount: 0,
    durationMs: 0,
  };
}

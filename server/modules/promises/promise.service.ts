/**
 * Promises to pay: "the customer will pay this much of these receivables by this date".
 * Recording one changes no money figure and no overdue stage; it is judged by the overdue
 * scan as of each date (a scan participant, in the scan's transaction), by the date the
 * money arrived: KEPT, or after its deadline PARTIAL or BROKEN, and a payment booked late
 * whose money arrived in time turns a PARTIAL or BROKEN promise into KEPT. Every step is
 * an event of the one stream (PROMISE_MADE, PROMISE_KEPT, PROMISE_BROKEN), once.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { Permission, ownerScope, requireAccess } from '../../core/access';
import { Clock } from '../../core/clock';
import { badInput, conflict, CoreErrorReason, notFound } from '../../core/errors';
import { addDays, isAfter, isBefore, type LocalDate } from '../../core/local-date';
import { type Cents, formatMoney } from '../../core/money';
import { Page, pageSize } from '../../core/pagination';
import { isUuid } from '../../db/sql';
import { loadBusinessCalendar } from '../calendar/calendar.service';
import { CustomerService } from '../customers/customer.service';
import { appendOverdueEvent, appendOverdueEvents, type CollectionEventInput } from '../overdue/overdue.append';
import type { ScanParticipantRun } from '../overdue/overdue.service';
import { SCAN_LOCK } from '../overdue/overdue.queries';
import { OverdueEventType } from '../overdue/overdue.types';
import { type BusinessCalendar } from '../../core/business-calendar';
import { PromiseErrorReason } from './promise.errors';
import {
  ACTIVITY_FOR_PROMISE,
  INSERT_PROMISE,
  JUDGE_PROMISES,
  type JudgedPromise,
  LOCK_JUDGEMENTS_SHARED,
  PROMISES_SPANNING_DAY,
  promisePage,
  RECEIVABLES_TO_PROMISE,
  REDATE_PROMISES,
} from './promise.queries';
import { PromiseState, PromiseToPay } from './promise.types';

const MAX_RECEIVABLES = 50;
/** How far ahead a promise may be made. */
const MAX_DAYS_AHEAD = 366;

export interface PromiseRules {
  graceWorkingDays: number;
}

export interface PromiseInput {
  customerId: string;
  receivableIds: readonly string[];
  amount: Cents;
  promisedOn: LocalDate;
  activityId?: string | null;
}

/** Where the input's fields are named in errors: the mutation's arguments, or an activity's `input.promise`. */
export interface PromiseFields {
  customerId: string;
  receivableIds: string;
  amount: string;
  promisedOn: string;
  activityId: string;
}

export const ARGUMENT_FIELDS: PromiseFields = {
  customerId: 'customerId',
  receivableIds: 'receivableIds',
  amount: 'amount',
  promisedOn: 'promisedOn',
  activityId: 'activityId',
};

export class PromiseService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly customers: CustomerService,
    private readonly rules: PromiseRules,
  ) {}

  /** recordPromiseToPay: its own transaction. */
  async record(principal: Principal, input: PromiseInput): Promise<PromiseToPay> {
    requireAccess(principal, Permission.COLLECTION_LOG, 'Your role does not record promises to pay');
    const customer = await this.customers.getVisible(principal, input.customerId, 'customerId');
    return this.em.transactional((em) =>
      recordPromise(em, this.clock.today(), this.rules, principal, { ...input, customerId: customer.id }, customer.ownerId, ARGUMENT_FIELDS),
    );
  }

  list(
    principal: Principal,
    args: { customerId?: string; states?: PromiseState[]; first?: number; after?: string },
    count: boolean,
  ): Promise<Page<PromiseToPay>> {
    requireAccess(principal, Permission.COLLECTION_READ);
    return promisePage(this.em, {
      ownerScope: ownerScope(principal),
      customerId: args.customerId,
      states: args.states,
      first: pageSize(args.first),
      after: args.after,
      count,
    });
  }
}

/**
 * Records a promise in the caller's transaction (recordPromiseToPay, or a PROMISED
 * activity's) and appends PROMISE_MADE. The customer is one the caller may see, owned by
 * `ownerId`. Refusals change nothing: the transaction rolls back.
 */
export async function recordPromise(
  em: EntityManager,
  today: LocalDate,
  rules: PromiseRules,
  principal: Principal,
  input: PromiseInput,
  ownerId: string,
  fields: PromiseFields,
): Promise<PromiseToPay> {
  if (input.amount <= 0n) throw badInput(fields.amount, 'amount must be greater than zero', CoreErrorReason.OUT_OF_RANGE);
  if (isAfter(input.promisedOn, addDays(today, MAX_DAYS_AHEAD)))
    throw badInput(fields.promisedOn, `promisedOn may be at most ${MAX_DAYS_AHEAD} days ahead`, CoreErrorReason.OUT_OF_RANGE);
  const receivableIds = [...new Set(input.receivableIds)].sort();
  if (receivableIds.length < 1 || receivableIds.length > MAX_RECEIVABLES)
    throw badInput(fields.receivableIds, `a promise names 1 to ${MAX_RECEIVABLES} receivables`, CoreErrorReason.OUT_OF_RANGE);

  let madeOn = today;
  const activityId = input.activityId ?? null;
  if (activityId !== null) {
    const activity = isUuid(activityId) ? await ACTIVITY_FOR_PROMISE.maybeOne(em, { id: activityId }) : undefined;
    if (!activity) throw notFound('Activity', activityId, fields.activityId);
    if (activity.customerId !== input.customerId) {
      // Whether another salesperson's activity exists is not disclosed.
      if (ownerScope(principal) !== undefined) throw notFound('Activity', activityId, fields.activityId);
      throw badInput(fields.activityId, `the activity is not one of this customer's`, PromiseErrorReason.PROMISE_OF_OTHER_CUSTOMER);
    }
    if (activity.promised) throw conflict('This activity already has a promise to pay', PromiseErrorReason.PROMISE_ALREADY_RECORDED, fields.activityId);
    madeOn = activity.occurredOn;
  }
  // "Not in the past" as of the day it was made: a phone that was offline uploads the call
  // (and its promise) days later, when the promised date may have passed already.
  if (isBefore(input.promisedOn, madeOn)) {
    const when = madeOn === today ? `today is ${today}` : `the promise was made on ${madeOn}`;
    throw badInput(fields.promisedOn, `promisedOn ${input.promisedOn} is in the past (${when})`, PromiseErrorReason.PROMISE_DATE_IN_PAST);
  }

  const receivables = receivableIds.every(isUuid) ? await RECEIVABLES_TO_PROMISE.all(em, { ids: receivableIds }) : [];
  let outstanding = 0n;
  for (const id of receivableIds) {
    const row = receivables.find((r) => r.id === id);
    if (!row) throw notFound('Receivable', id, fields.receivableIds);
    if (row.customerId !== input.customerId) {
      if (ownerScope(principal) !== undefined) throw notFound('Receivable', id, fields.receivableIds);
      throw badInput(fields.receivableIds, `receivable ${id} belongs to another customer`, PromiseErrorReason.PROMISE_OF_OTHER_CUSTOMER);
    }
    outstanding += row.outstanding;
  }
  if (input.amount > outstanding) {
    throw badInput(
      fields.amount,
      `the promised ${formatMoney(input.amount)} is above the ${formatMoney(outstanding)} outstanding on these receivables`,
      PromiseErrorReason.PROMISE_ABOVE_OUTSTANDING,
    );
  }

  const calendar = await loadBusinessCalendar(em);
  const dueOn = calendar.rollForward(input.promisedOn);
  const promise = await INSERT_PROMISE.one(em, {
    id: randomUUID(),
    customerId: input.customerId,
    salespersonId: ownerId,
    activityId,
    receivableIds,
    amount: formatMoney(input.amount),
    promisedOn: input.promisedOn,
    dueOn,
    deadlineOn: calendar.addWorkingDays(dueOn, rules.graceWorkingDays),
    madeOn,
    recordedById: principal.userId,
  });
  await appendOverdueEvent(em, {
    type: OverdueEventType.PROMISE_MADE,
    customerId: promise.customerId,
    receivableId: receivableIds.length === 1 ? receivableIds[0] : null,
    salespersonId: promise.salespersonId,
    promiseId: promise.id,
    state: PromiseState.OPEN,
    amount: promise.amount,
    detail: `promised ${formatMoney(promise.amount)} by ${promise.promisedOn} (money arriving by ${promise.dueOn} counts; judged after ${promise.deadlineOn})`,
    asOf: today,
  });
  return promise;
}

/**
 * The scan participant: judges the promises as of the judgement's date, in its
 * transaction, and appends an event for each step (once: the state is stored with it).
 */
export async function judgePromises({ em, asOf }: ScanParticipantRun): Promise<void> {
  const events: CollectionEventInput[] = [];
  for (const judged of await JUDGE_PROMISES.all(em, { asOf })) {
    const event = promiseEvent(judged);
    if (!event) continue;
    events.push({
      ...event,
      customerId: judged.customerId,
      receivableId: judged.receivableIds.length === 1 ? judged.receivableIds[0] : null,
      salespersonId: judged.salespersonId,
      promiseId: judged.id,
      state: judged.newState,
      previousState: judged.oldState,
      amount: judged.amount,
      asOf,
    });
  }
  await appendOverdueEvents(em, events);
}

/**
 * The event a judgement's change makes, if any: KEPT once per time it becomes kept; the
 * first PARTIAL or BROKEN of an open or kept promise; OPEN again for a settled one
 * (REOPENED). PARTIAL ↔ BROKEN moves silently, and so does a change of counted money alone.
 */
function promiseEvent(
  j: JudgedPromise,
): { type: OverdueEventType.PROMISE_KEPT | OverdueEventType.PROMISE_BROKEN | OverdueEventType.PROMISE_REOPENED; detail: string } | undefined {
  if (j.newState === j.oldState) return undefined;
  const amounts = `${formatMoney(j.paid)} of ${formatMoney(j.amount)} arrived by ${j.dueOn}`;
  if (j.newState === PromiseState.KEPT) {
    const detail =
      j.oldState === PromiseState.OPEN
        ? `kept: ${amounts}`
        : `kept after all: money booked late shows ${amounts}; the promise judged ${j.oldState} on ${j.brokenOn ?? ''} is kept`;
    return { type: OverdueEventType.PROMISE_KEPT, detail };
  }
  if (j.newState === PromiseState.OPEN) {
    const why = j.oldState === PromiseState.KEPT ? 'the money that kept it no longer counts (voided or moved)' : 'its deadline moved';
    return { type: OverdueEventType.PROMISE_REOPENED, detail: `open again: ${why}; ${amounts}, judged after ${j.deadlineOn}` };
  }
  if (j.oldState === PromiseState.OPEN || j.oldState === PromiseState.KEPT) {
    const what = j.newState === PromiseState.PARTIAL ? 'partly kept' : 'broken';
    const no = j.oldState === PromiseState.KEPT ? 'no longer kept, the money that kept it no longer counts: ' : '';
    return { type: OverdueEventType.PROMISE_BROKEN, detail: `${no}${what}: ${amounts}` };
  }
  return undefined;
}

/**
 * The calendar participant: a calendar change of `day` (in its transaction) re-rolls the
 * due date and deadline of every promise whose dates it can move (promised on or before
 * the day, deadline on or after it) with the new calendar, and marks those that moved for
 * judgement. Answers their receivables, which the calendar change then announces, so they
 * are judged at once as of the engine's date.
 */
export async function redatePromises(em: EntityManager, calendar: BusinessCalendar, day: LocalDate, rules: PromiseRules): Promise<string[]> {
  const spanning = await PROMISES_SPANNING_DAY.all(em, { day });
  const moved = spanning
    .map((p) => {
      const dueOn = calendar.rollForward(p.promisedOn);
      return { ...p, newDueOn: dueOn, newDeadlineOn: calendar.addWorkingDays(dueOn, rules.graceWorkingDays) };
    })
    .filter((p) => p.newDueOn !== p.dueOn || p.newDeadlineOn !== p.deadlineOn);
  if (moved.length === 0) return [];
  await LOCK_JUDGEMENTS_SHARED.one(em, { key: SCAN_LOCK });
  await REDATE_PROMISES.run(em, { ids: moved.map((p) => p.id), dueOns: moved.map((p) => p.newDueOn), deadlineOns: moved.map((p) => p.newDeadlineOn) });
  return [...new Set(moved.flatMap((p) => p.receivableIds))];
}

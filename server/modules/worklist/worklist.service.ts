/**
 * The collection worklist for callers: who may see whose customers, the arguments'
 * rules and the keyset cursor. The figures and the priority are one statement
 * (worklist.queries.ts); their definitions are in docs/metrics.md.
 *
 * A SALES user sees the customers they own now: asking for another salesperson's list is
 * FORBIDDEN (as for the figures: a salesperson sees only their own numbers), asking for
 * their own or for nobody in particular gives their own. FINANCE, MANAGER and ADMIN see
 * one salesperson's customers (an unknown one is NOT_FOUND) or, without salespersonId,
 * every customer.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { ownerScope } from '../../core/access';
import { Principal } from '../../core/auth';
import { badInput, CoreErrorReason, forbidden, notFound } from '../../core/errors';
import { textProblem } from '../../core/input-guards';
import { type LocalDate } from '../../core/local-date';
import { decodeCursor, encodeCursor, type Page, pageSize } from '../../core/pagination';
import { findById } from '../../db/find';
import { isUuid } from '../../db/sql';
import { User } from '../users/user.entity';
import { afterItem, queryWorklist } from './worklist.queries';
import { WorklistItem } from './worklist.types';

export interface WorklistRules {
  timeZone: string;
  lookaheadDays: number;
  stages: readonly number[];
  brokenPromiseDays: number;
}

/** A cursor's (priority, code, id), checked like any other input. */
function decodeWorklistCursor(after: string | null | undefined): { priority: number; code: string; id: string } | undefined {
  const values = decodeCursor(after, 3);
  if (!values) return undefined;
  const [priority, code, id] = values;
  if (
    typeof priority === 'number' &&
    Number.isSafeInteger(priority) &&
    Math.abs(priority) < 2 ** 31 &&
    typeof code === 'string' &&
    textProblem(code, 40) === undefined &&
    typeof id === 'string' &&
    isUuid(id)
  ) {
    return { priority, code, id };
  }
  throw badInput('after', 'after is not a cursor returned by this list', CoreErrorReason.INVALID_CURSOR);
}

export class WorklistService {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: WorklistRules,
  ) {}

  async page(
    principal: Principal,
    date: LocalDate,
    salespersonId: string | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Page<WorklistItem>> {
    const limit = pageSize(first);
    const cursor = decodeWorklistCursor(after);
    const ownerId = await this.ownerOf(principal, salespersonId);
    const rows = await queryWorklist(this.em, {
      date,
      ownerId: ownerId ?? null,
      lookaheadDays: this.rules.lookaheadDays,
      stages: this.rules.stages,
      brokenPromiseDays: this.rules.brokenPromiseDays,
      tz: this.rules.timeZone,
      limit: limit + 1,
      after: afterItem(cursor),
    });
    const items = rows.flatMap((r) => (r.item ? [r.item] : []));
    return {
      nodes: items.slice(0, limit),
      hasNextPage: items.length > limit,
      totalCount: rows[0]?.total ?? 0,
      cursorOf: (item) => encodeCursor([item.priority, item.customerCode, item.customerId]),
    };
  }

  /** Whose customers: SALES always their own (another's is FORBIDDEN); others one salesperson's or everyone's (undefined). */
  private async ownerOf(principal: Principal, salespersonId: string | null | undefined): Promise<string | undefined> {
    const self = ownerScope(principal);
    if (self) {
      if (salespersonId && salespersonId !== self) throw forbidden("A salesperson's worklist holds only their own customers");
      return self;
    }
    if (!salespersonId) return undefined;
    const user = isUuid(salespersonId) ? await findById(this.em, User, salespersonId) : null;
    if (!user) throw notFound('Salesperson', salespersonId, 'salespersonId');
    return user.id;
  }
}

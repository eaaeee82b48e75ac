/**
 * Front-line feedback: submitting and amending reports, the compliance record, reminder
 * events, the item workflow and improvement proposals, and role-scoped reads.
 *
 * Anonymity is enforced here and in the schema, never by the auth checker (which lets
 * ADMIN pass everywhere):
 * - an anonymous report is written with no author row, no date and a random id; the
 *   compliance row is written in the same transaction but shares no key with it;
 * - every write of a period rewrites all report, item and compliance rows of that
 *   period in one statement each, ordered by random id (reports, items) or user id
 *   (compliance). So PostgreSQL's system columns (xmin, cmin, ctid) of a period's rows
 *   are the same for all of them, or ordered by something unrelated to who submitted
 *   when: they cannot pair a compliance row with a report;
 * - the only handle to an anonymous report is the receipt's secret, stored as SHA-256;
 * - every "already submitted" refusal is one message that names no report.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal, Role } from '../../core/auth';
import { Clock } from '../../core/clock';
import { badInput, conflict, forbidden, notFound } from '../../core/errors';
import { assertDateRange, type LocalDate } from '../../core/local-date';
import { Page, pageSize } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { isUuid, pgArray, Where } from '../../db/sql';
import { CustomerService } from '../customers/customer.service';
import { ReceivableService } from '../receivables/receivable.service';
import { FeedbackItem, FeedbackReport } from './feedback-report.entity';
import { DECISION_STATUS, FeedbackPeriod, FeedbackStatus, ProposalDecision, ProposalStatus } from './feedback.enums';
import {
  ComplianceEntry,
  CreateProposalInput,
  FeedbackFilter,
  FeedbackReceipt,
  FeedbackReminder,
  FeedbackSummary,
  SubmitFeedbackInput,
} from './feedback.inputs';
import { feedbackSummary } from './feedback.queries';
import { validatePeriodStart } from './feedback.periods';
import { ImprovementProposal } from './improvement-proposal.entity';

/** Front-line staff write reports and appear in the compliance list. */
export const FRONT_LINE_ROLES: readonly Role[] = [Role.SALES, Role.FINANCE];
/** Roles that read every report (ADMIN too, but never the author of an anonymous one). */
export const FEEDBACK_READERS: readonly Role[] = [Role.PROJECT_LEAD, Role.MANAGER, Role.ADMIN];

const MAX_ITEMS = 30;
const MAX_SOLVED = 20;
const MAX_TEXT = 2000;
const MAX_HOURS = 744;
/** Longest feedbackSummary window, both ends included: three years, like the collection statistics. */
export const MAX_SUMMARY_DAYS = 1096;
const SECRET_PREFIX = 'fbs_';

const ALREADY_SUBMITTED =
  'You have already submitted a report for this period. A named report is amended by submitting it named again; ' +
  'an anonymous report only with the amendSecret of its receipt.';

/** Triage may set these, from these states; ESCALATED and DECIDED come from proposals. */
const TRIAGE_TRANSITIONS: Partial<Record<FeedbackStatus, FeedbackStatus[]>> = {
  [FeedbackStatus.IN_REVIEW]: [FeedbackStatus.SUBMITTED],
  [FeedbackStatus.REJECTED]: [FeedbackStatus.SUBMITTED, FeedbackStatus.IN_REVIEW, FeedbackStatus.DECIDED],
  [FeedbackStatus.RESOLVED]: [FeedbackStatus.DECIDED],
};

export function hashAmendSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}


function cleanText(value: string, field: string, max: number, what: string): string {
  const text = value.trim();
  if (text.length < 1 || text.length > max) throw badInput(field, `${what} must have 1 to ${max} characters`);
  return text;
}

function cleanNote(note: string | null | undefined, field: string): string | null {
  const text = note?.trim() ?? '';
  if (text.length > MAX_TEXT) throw badInput(field, `${field} must have at most ${MAX_TEXT} characters`);
  return text || null;
}

interface CleanItem {
  kind: string;
  category: string;
  severity: string;
  text: string;
  customerId: string | null;
  receivableId: string | null;
}

export class FeedbackService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly customers: CustomerService,
    private readonly receivables: ReceivableService,
  ) {}

  // ── Submission ────────────────────────────────────────────────────────────────

  async submit(principal: Principal, input: SubmitFeedbackInput): Promise<FeedbackReceipt> {
    const today = this.clock.today();
    validatePeriodStart(input.period, input.periodStart, today, 'input.periodStart');
    const hours = input.hoursSaved;
    if (!Number.isFinite(hours) || hours < 0 || hours > MAX_HOURS || Math.abs(hours * 100 - Math.round(hours * 100)) > 1e-6) {
      throw badInput('input.hoursSaved', `hoursSaved must be between 0 and ${MAX_HOURS} with at most two decimals`);
    }
    const solved = input.solvedProblems ?? [];
    if (solved.length > MAX_SOLVED) throw badInput('input.solvedProblems', `at most ${MAX_SOLVED} solved problems`);
    const solvedProblems = solved.map((s, i) => cleanText(s, `input.solvedProblems.${i}`, MAX_TEXT, 'a solved problem'));
    const items = await this.cleanItems(principal, input);
    const secret = input.amendSecret ?? undefined;
    if (secret !== undefined && !input.anonymous) {
      throw badInput('input.anonymous', 'An anonymous report stays anonymous: amend it with anonymous: true', 'ANONYMITY_FIXED');
    }

    return this.em.transactional(async (em) => {
      // One writer per period: the checks below and the rewrite of the period are serialised.
      await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`feedback:${input.period}:${input.periodStart}`]);
      const periodParams = [input.period, input.periodStart];
      let reportId: string;
      let amended = false;
      let receiptSecret: string | null = null;

      if (secret !== undefined) {
        const [found]: { id: string }[] = await em.execute(
          'select id from feedback_report where amend_secret_hash = ? and period = ? and period_start = ?',
          [hashAmendSecret(secret), ...periodParams],
        );
        if (!found) throw badInput('input.amendSecret', 'This amendSecret does not open a report of this period', 'INVALID_AMEND_SECRET');
        reportId = found.id;
        amended = true;
        receiptSecret = secret;
      } else {
        const [named]: { report_id: string }[] = await em.execute(
          'select report_id from feedback_report_author where user_id = ? and period = ? and period_start = ?',
          [principal.userId, ...periodParams],
        );
        const [done]: { n: number }[] = await em.execute(
          'select count(*)::int as n from feedback_compliance where user_id = ? and period = ? and period_start = ?',
          [principal.userId, ...periodParams],
        );
        if (named && !input.anonymous) {
          reportId = named.report_id;
          amended = true;
        } else if (done.n > 0) {
          throw conflict(ALREADY_SUBMITTED, 'ALREADY_SUBMITTED');
        } else {
          ({ id: reportId, secret: receiptSecret } = await this.insertReport(em, principal, input, solvedProblems, hours, today));
        }
      }

      if (amended) {
        const [busy]: { n: number }[] = await em.execute(
          `select count(*)::int as n from feedback_item where report_id = ? and (status <> 'SUBMITTED' or proposal_id is not null)`,
          [reportId],
        );
        if (busy.n > 0) throw conflict('The report is already being reviewed and can no longer be amended', 'REPORT_IN_REVIEW');
        await em.execute(
          `update feedback_report set solved_problems = ?::jsonb, hours_saved = ?,
             amended_on = case when anonymous then null else ?::date end where id = ?`,
          [JSON.stringify(solvedProblems), hours.toFixed(2), today, reportId],
        );
        await em.execute('delete from feedback_item where report_id = ?', [reportId]);
      }
      await this.insertItems(em, reportId, input.anonymous, items);
      await this.rewritePeriod(em, input.period, input.periodStart);
      return Object.assign(new FeedbackReceipt(), {
        reportId,
        period: input.period,
        periodStart: input.periodStart,
        anonymous: input.anonymous,
        amended,
        itemCount: items.length,
        amendSecret: receiptSecret,
      });
    });
  }

  private async insertReport(
    em: EntityManager,
    principal: Principal,
    input: SubmitFeedbackInput,
    solvedProblems: string[],
    hours: number,
    today: LocalDate,
  ): Promise<{ id: string; secret: string | null }> {
    const id = randomUUID();
    // The secret is the only handle to an anonymous report; only its hash is kept.
    const secret = input.anonymous ? SECRET_PREFIX + randomBytes(32).toString('base64url') : null;
    const secretHash = secret ? hashAmendSecret(secret) : null;
    await em.execute(
      `insert into feedback_report (id, period, period_start, anonymous, solved_problems, hours_saved, submitted_on, amended_on, amend_secret_hash)
       values (?, ?, ?, ?, ?::jsonb, ?, ?, null, ?)`,
      [id, input.period, input.periodStart, input.anonymous, JSON.stringify(solvedProblems), hours.toFixed(2), input.anonymous ? null : today, secretHash],
    );
    if (!input.anonymous) {
      await em.execute('insert into feedback_report_author (report_id, user_id, period, period_start) values (?, ?, ?, ?)', [
        id,
        principal.userId,
        input.period,
        input.periodStart,
      ]);
    }
    await em.execute('insert into feedback_compliance (user_id, period, period_start) values (?, ?, ?)', [
      principal.userId,
      input.period,
      input.periodStart,
    ]);
    return { id, secret };
  }

  private async insertItems(em: EntityManager, reportId: string, anonymous: boolean, items: CleanItem[]): Promise<void> {
    for (const [position, item] of items.entries()) {
      await em.execute(
        `insert into feedback_item (id, report_id, report_anonymous, position, kind, category, severity, text, customer_id, receivable_id, status)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'SUBMITTED')`,
        [randomUUID(), reportId, anonymous, position, item.kind, item.category, item.severity, item.text, item.customerId, item.receivableId],
      );
    }
  }

  /**
   * Rewrites every report, item and compliance row of the period, each table in one
   * statement in an order unrelated to submission: afterwards the rows of the period
   * share their transaction id and command id, and their physical order follows random
   * ids (reports, items) or user ids (compliance). See the module header.
   */
  private async rewritePeriod(em: EntityManager, period: FeedbackPeriod, periodStart: LocalDate): Promise<void> {
    await em.execute(
      `with moved as (delete from feedback_report where period = ? and period_start = ? returning *)
       insert into feedback_report select * from moved order by id`,
      [period, periodStart],
    );
    await em.execute(
      `with moved as (
         delete from feedback_item i using feedback_report r
          where r.id = i.report_id and r.period = ? and r.period_start = ? returning i.*)
       insert into feedback_item select * from moved order by id`,
      [period, periodStart],
    );
    await em.execute(
      `with moved as (delete from feedback_compliance where period = ? and period_start = ? returning *)
       insert into feedback_compliance select * from moved order by user_id`,
      [period, periodStart],
    );
  }

  private async cleanItems(principal: Principal, input: SubmitFeedbackInput): Promise<CleanItem[]> {
    const items = input.items ?? [];
    if (items.length > MAX_ITEMS) throw badInput('input.items', `at most ${MAX_ITEMS} items per report`);
    const clean: CleanItem[] = [];
    for (const [i, item] of items.entries()) {
      const field = `input.items.${i}`;
      const text = cleanText(item.text, `${field}.text`, MAX_TEXT, 'text');
      let customerId: string | null = null;
      let receivableId: string | null = null;
      if (input.anonymous && (item.customerId || item.receivableId)) {
        throw badInput(
          `${field}.${item.customerId ? 'customerId' : 'receivableId'}`,
          'An anonymous report cannot link a customer or receivable: who owns it would point at you',
          'ANONYMOUS_LINK',
        );
      }
      if (item.receivableId) {
        const receivable = await this.receivables.getVisible(principal, item.receivableId, `${field}.receivableId`);
        receivableId = receivable.id;
        customerId = receivable.customerId;
      }
      if (item.customerId) {
        const customer = await this.customers.getVisible(principal, item.customerId, `${field}.customerId`);
        if (customerId && customerId !== customer.id) {
          throw badInput(`${field}.customerId`, 'The receivable belongs to another customer', 'CUSTOMER_MISMATCH');
        }
        customerId = customer.id;
      }
      clean.push({ kind: item.kind, category: item.category, severity: item.severity, text, customerId, receivableId });
    }
    return clean;
  }

  // ── Reads ─────────────────────────────────────────────────────────────────────

  /** Front-line users see their own named reports only; readers see all. No author filter exists. */
  list(principal: Principal, filter: FeedbackFilter | undefined, first: number | undefined, after: string | undefined): Promise<Page<FeedbackReport>> {
    const where = new Where();
    if (!FEEDBACK_READERS.includes(principal.role)) {
      where.add('exists (select 1 from feedback_report_author a where a.report_id = r.id and a.user_id = ?)', principal.userId);
    }
    if (filter?.period) where.add('r.period = ?', filter.period);
    if (filter?.periodStart) where.add('r.period_start = ?::date', filter.periodStart);
    if (filter?.from && filter.to) assertDateRange(filter.from, filter.to, { fromField: 'filter.from', toField: 'filter.to' });
    if (filter?.from) where.add('r.period_start >= ?::date', filter.from);
    if (filter?.to) where.add('r.period_start <= ?::date', filter.to);
    if (filter?.anonymous !== undefined && filter.anonymous !== null) where.add('r.anonymous = ?', filter.anonymous);
    const itemWhere = new Where().add('i.report_id = r.id');
    if (filter?.category?.length) itemWhere.add('i.category = any(?::text[])', pgArray(filter.category));
    if (filter?.status?.length) itemWhere.add('i.status = any(?::text[])', pgArray(filter.status));
    if (filter?.severity?.length) itemWhere.add('i.severity = any(?::text[])', pgArray(filter.severity));
    if (itemWhere.clauses.length > 1) where.add(`exists (select 1 from feedback_item i where ${itemWhere.sql})`, ...itemWhere.params);
    // Newest period first, then the random id: nothing orders reports by when they were written.
    return keysetPage(this.em, {
      entity: FeedbackReport,
      from: 'from feedback_report r',
      alias: 'r',
      where,
      keys: [
        { column: 'r.period_start', cast: 'date', value: (r) => r.periodStart },
        { column: 'r.id', cast: 'uuid', value: (r) => r.id },
      ],
      descending: true,
      first: pageSize(first),
      after,
    });
  }

  /** Whether the caller may see this report's items and progress (readers, or its named author). */
  canReadAll(principal: Principal): boolean {
    return FEEDBACK_READERS.includes(principal.role);
  }

  async compliance(period: FeedbackPeriod, periodStart: LocalDate): Promise<ComplianceEntry[]> {
    validatePeriodStart(period, periodStart, this.clock.today(), 'periodStart');
    const rows: { user_id: string; submitted: boolean; reminded_ms: string | null }[] = await this.em.execute(
      `select u.id as user_id, c.user_id is not null as submitted,
              (select (extract(epoch from max(m.created_at)) * 1000)::bigint from feedback_reminder m
                where m.user_id = u.id and m.period = ? and m.period_start = ?) as reminded_ms
         from app_user u
         left join feedback_compliance c on c.user_id = u.id and c.period = ? and c.period_start = ?
        where u.active and u.role = any(?::text[])
        order by u.name, u.id`,
      [period, periodStart, period, periodStart, pgArray(FRONT_LINE_ROLES)],
    );
    return rows.map((r) =>
      Object.assign(new ComplianceEntry(), {
        userId: r.user_id,
        submitted: r.submitted,
        lastRemindedAt: r.reminded_ms === null ? null : new Date(Number(r.reminded_ms)),
      }),
    );
  }

  /**
   * Writes a reminder event for every active front-line user who has not submitted for
   * the period and has no undelivered reminder for it yet; a deliverer sends them later.
   */
  async remind(principal: Principal, period: FeedbackPeriod, periodStart: LocalDate): Promise<FeedbackReminder[]> {
    validatePeriodStart(period, periodStart, this.clock.today(), 'periodStart');
    const rows: { id: string; user_id: string; period: FeedbackPeriod; period_start: string; created_ms: string }[] = await this.em.transactional(
      (em) =>
        em.execute(
          `insert into feedback_reminder (id, user_id, period, period_start, created_at, created_by_id)
           select gen_random_uuid(), u.id, ?, ?::date, ?, ?
             from app_user u
            where u.active and u.role = any(?::text[])
              and not exists (select 1 from feedback_compliance c where c.user_id = u.id and c.period = ? and c.period_start = ?)
              and not exists (select 1 from feedback_reminder m where m.user_id = u.id and m.period = ? and m.period_start = ? and m.delivered_at is null)
           returning id, user_id, period, period_start, (extract(epoch from created_at) * 1000)::bigint as created_ms`,
          [period, periodStart, this.clock.now(), principal.userId, pgArray(FRONT_LINE_ROLES), period, periodStart, period, periodStart],
        ),
    );
    return rows.map((r) =>
      Object.assign(new FeedbackReminder(), {
        id: r.id,
        userId: r.user_id,
        period: r.period,
        periodStart: r.period_start,
        createdAt: new Date(Number(r.created_ms)),
        deliveredAt: null,
      }),
    );
  }

  summary(from: LocalDate, to: LocalDate, period: FeedbackPeriod | undefined): Promise<FeedbackSummary> {
    assertDateRange(from, to, { maxDays: MAX_SUMMARY_DAYS });
    return feedbackSummary(this.em, from, to, period);
  }

  proposals(status: ProposalStatus | undefined): Promise<ImprovementProposal[]> {
    return this.em.find(ImprovementProposal, status ? { status } : {}, { orderBy: { createdAt: 'desc', id: 'asc' } });
  }

  // ── Workflow ──────────────────────────────────────────────────────────────────

  async triage(principal: Principal, id: string, status: FeedbackStatus, note: string | null | undefined): Promise<FeedbackItem> {
    const allowedFrom = TRIAGE_TRANSITIONS[status];
    if (!allowedFrom) {
      throw badInput('status', 'Triage sets IN_REVIEW, REJECTED or RESOLVED; ESCALATED and DECIDED follow from proposals', 'STATUS_NOT_SETTABLE');
    }
    const cleanedNote = cleanNote(note, 'note');
    if (status === FeedbackStatus.REJECTED && !cleanedNote) throw badInput('note', 'Say in a note why the item is rejected', 'NOTE_REQUIRED');
    if (!isUuid(id)) throw notFound('FeedbackItem', id, 'id');
    await this.em.transactional(async (em) => {
      const [item]: { status: FeedbackStatus; proposal_id: string | null }[] = await em.execute(
        'select status, proposal_id from feedback_item where id = ? for update',
        [id],
      );
      if (!item) throw notFound('FeedbackItem', id, 'id');
      if (!allowedFrom.includes(item.status)) {
        throw conflict(`An item in ${item.status} cannot be moved to ${status} by triage`, 'INVALID_TRANSITION', 'status');
      }
      if (item.proposal_id && item.status !== FeedbackStatus.DECIDED) {
        throw conflict('The item is part of an undecided proposal: it moves with the proposal', 'IN_PROPOSAL', 'id');
      }
      await this.moveItems(em, [id], status, principal.userId, cleanedNote);
    });
    return this.em.findOneOrFail(FeedbackItem, { id }, { refresh: true });
  }

  async createProposal(principal: Principal, input: CreateProposalInput): Promise<ImprovementProposal> {
    const title = cleanText(input.title, 'input.title', 200, 'title');
    const description = input.description?.trim() ?? '';
    if (description.length > 5000) throw badInput('input.description', 'description must have at most 5000 characters');
    if (input.itemIds.length < 1 || input.itemIds.length > 100) throw badInput('input.itemIds', 'a proposal groups 1 to 100 items');
    const seen = new Set<string>();
    input.itemIds.forEach((itemId, i) => {
      if (seen.has(itemId)) throw badInput(`input.itemIds.${i}`, 'the item is listed twice', 'DUPLICATE');
      seen.add(itemId);
      if (!isUuid(itemId)) throw notFound('FeedbackItem', itemId, `input.itemIds.${i}`);
    });
    const id = randomUUID();
    await this.em.transactional(async (em) => {
      const rows: { id: string; status: FeedbackStatus; proposal_id: string | null }[] = await em.execute(
        'select id, status, proposal_id from feedback_item where id = any(?::uuid[]) order by id for update',
        [pgArray(input.itemIds)],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      input.itemIds.forEach((itemId, i) => {
        const row = byId.get(itemId);
        if (!row) throw notFound('FeedbackItem', itemId, `input.itemIds.${i}`);
        if (row.proposal_id || (row.status !== FeedbackStatus.SUBMITTED && row.status !== FeedbackStatus.IN_REVIEW)) {
          throw conflict(`Item ${itemId} is ${row.status}${row.proposal_id ? ' and in a proposal' : ''}: only open items can be grouped`, 'ITEM_NOT_OPEN', `input.itemIds.${i}`);
        }
      });
      await em.execute(
        `insert into improvement_proposal (id, title, description, status, created_by_id, created_at) values (?, ?, ?, 'DRAFT', ?, ?)`,
        [id, title, description, principal.userId, this.clock.now()],
      );
      const submitted = rows.filter((r) => r.status === FeedbackStatus.SUBMITTED).map((r) => r.id);
      await this.moveItems(em, submitted, FeedbackStatus.IN_REVIEW, principal.userId, `Grouped into proposal "${title}"`);
      await em.execute('update feedback_item set proposal_id = ? where id = any(?::uuid[])', [id, pgArray(input.itemIds)]);
    });
    return this.em.findOneOrFail(ImprovementProposal, { id }, { refresh: true });
  }

  async escalate(principal: Principal, id: string, note: string | null | undefined): Promise<ImprovementProposal> {
    const cleanedNote = cleanNote(note, 'note');
    await this.em.transactional(async (em) => {
      const proposal = await this.lockProposal(em, id);
      if (proposal.status !== ProposalStatus.DRAFT && proposal.status !== ProposalStatus.DEFERRED) {
        throw conflict(`A ${proposal.status} proposal cannot be escalated`, 'NOT_ESCALATABLE', 'id');
      }
      await em.execute(
        `update improvement_proposal set status = 'ESCALATED', escalated_by_id = ?, escalated_at = ?, escalation_note = ?,
           decision = null, rationale = null, decided_by_id = null, decided_at = null where id = ?`,
        [principal.userId, this.clock.now(), cleanedNote, id],
      );
      const items: { id: string }[] = await em.execute(
        `select id from feedback_item where proposal_id = ? and status in ('IN_REVIEW','DECIDED') order by id for update`,
        [id],
      );
      await this.moveItems(em, items.map((i) => i.id), FeedbackStatus.ESCALATED, principal.userId, cleanedNote ?? 'Escalated to management');
    });
    return this.em.findOneOrFail(ImprovementProposal, { id }, { refresh: true });
  }

  async decide(principal: Principal, id: string, decision: ProposalDecision, rationale: string): Promise<ImprovementProposal> {
    if (principal.role !== Role.MANAGER && principal.role !== Role.ADMIN) throw forbidden('Only a manager decides proposals');
    const why = cleanText(rationale, 'rationale', 5000, 'rationale');
    await this.em.transactional(async (em) => {
      const proposal = await this.lockProposal(em, id);
      if (proposal.status !== ProposalStatus.ESCALATED) {
        throw conflict(`Only an ESCALATED proposal can be decided; this one is ${proposal.status}`, 'NOT_ESCALATED', 'id');
      }
      await em.execute('update improvement_proposal set status = ?, decision = ?, rationale = ?, decided_by_id = ?, decided_at = ? where id = ?', [
        DECISION_STATUS[decision],
        decision,
        why,
        principal.userId,
        this.clock.now(),
        id,
      ]);
      const items: { id: string }[] = await em.execute(
        `select id from feedback_item where proposal_id = ? and status = 'ESCALATED' order by id for update`,
        [id],
      );
      await this.moveItems(em, items.map((i) => i.id), FeedbackStatus.DECIDED, principal.userId, `${decision}: ${why}`);
    });
    return this.em.findOneOrFail(ImprovementProposal, { id }, { refresh: true });
  }

  private async lockProposal(em: EntityManager, id: string): Promise<{ status: ProposalStatus }> {
    if (!isUuid(id)) throw notFound('ImprovementProposal', id, 'id');
    const [proposal]: { status: ProposalStatus }[] = await em.execute('select status from improvement_proposal where id = ? for update', [id]);
    if (!proposal) throw notFound('ImprovementProposal', id, 'id');
    return proposal;
  }

  /** Moves items to `to` and records one step per item, in the caller's transaction. */
  private async moveItems(em: EntityManager, ids: string[], to: FeedbackStatus, actorId: string, note: string | null): Promise<void> {
    if (ids.length === 0) return;
    await em.execute(
      `with moved as (
         update feedback_item i set status = ? from feedback_item old
          where old.id = i.id and i.id = any(?::uuid[]) returning i.id, old.status as from_status)
       insert into feedback_item_step (id, item_id, from_status, to_status, actor_id, note, occurred_at)
       select gen_random_uuid(), id, from_status, ?, ?, ?, ? from moved`,
      [to, pgArray(ids), to, actorId, note, this.clock.now()],
    );
  }
}

/**
 * GraphQL surface of front-line feedback. Role checks here are coarse; who may see what
 * (own named reports, never the author of an anonymous one, ADMIN included) is decided
 * in FeedbackService and in the field resolvers below.
 */
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { PageArgs, toConnection } from '../../core/pagination';
import { LocalDateScalar } from '../../core/scalars';
import { periodEnd } from '../../core/periods';
import { type Context } from '../../context';
import { Permission, can, canSeeCustomerOwnedBy } from '../../core/access';
import { Customer } from '../customers/customer.entity';
import { Receivable } from '../receivables/receivable.entity';
import { User } from '../users/user.entity';
import { FeedbackItem, FeedbackItemStep, FeedbackReport } from './feedback-report.entity';
import { FeedbackPeriod, FeedbackStatus, ProposalDecision, ProposalStatus } from './feedback.enums';
import {
  ComplianceEntry,
  CreateProposalInput,
  FeedbackFilter,
  FeedbackReceipt,
  FeedbackReminder,
  FeedbackReportConnection,
  FeedbackSummary,
  SubmitFeedbackInput,
} from './feedback.types';
import { ImprovementProposal } from './improvement-proposal.entity';

@ArgsType()
class FeedbackReportsArgs extends PageArgs {
  @Field(() => FeedbackFilter, { nullable: true })
  filter?: FeedbackFilter;
}

@Resolver(() => FeedbackReport)
export class FeedbackReportResolver {
  @Authorized(Permission.FEEDBACK_SUBMIT, Permission.FEEDBACK_READ)
  @Query(() => FeedbackReportConnection, {
    description:
      'Newest period first. SALES and FINANCE see their own named reports; PROJECT_LEAD, MANAGER and ADMIN see all, never the author of an anonymous one.',
  })
  async feedbackReports(@Args() { first, after, filter }: FeedbackReportsArgs, @Ctx() ctx: Context): Promise<FeedbackReportConnection> {
    return toConnection(await ctx.services.feedback.list(ctx.principal!, filter, first, after));
  }

  @Authorized(Permission.FEEDBACK_READ)
  @Query(() => FeedbackSummary, { description: 'Reports whose period starts within [from, to], compared with the window of the same length before.' })
  feedbackSummary(
    @Arg('from', () => LocalDateScalar) from: LocalDate,
    @Arg('to', () => LocalDateScalar) to: LocalDate,
    @Arg('period', () => FeedbackPeriod, { nullable: true, description: 'Only WEEK or only MONTH reports.' }) period: FeedbackPeriod | undefined,
    @Ctx() ctx: Context,
  ): Promise<FeedbackSummary> {
    return ctx.services.feedback.summary(from, to, period ?? undefined);
  }

  @Authorized(Permission.FEEDBACK_READ)
  @Query(() => [ComplianceEntry], {
    description: 'Every active front-line user (SALES, FINANCE) and whether they submitted for the period, named or anonymously.',
  })
  feedbackCompliance(
    @Arg('period', () => FeedbackPeriod) period: FeedbackPeriod,
    @Arg('periodStart', () => LocalDateScalar) periodStart: LocalDate,
    @Ctx() ctx: Context,
  ): Promise<ComplianceEntry[]> {
    return ctx.services.feedback.compliance(period, periodStart);
  }

  @Authorized(Permission.FEEDBACK_SUBMIT)
  @Mutation(() => FeedbackReceipt, {
    description:
      "One report per person and period: a second named submission amends the first; an anonymous report is amended only with its receipt's amendSecret.",
  })
  submitFeedbackReport(@Arg('input', () => SubmitFeedbackInput) input: SubmitFeedbackInput, @Ctx() ctx: Context): Promise<FeedbackReceipt> {
    return ctx.services.feedback.submit(ctx.principal!, input);
  }

  @Authorized(Permission.FEEDBACK_TRIAGE)
  @Mutation(() => [FeedbackReminder], {
    description: 'Stores a reminder event for every front-line user who has not submitted for the period (at most one undelivered each).',
  })
  sendFeedbackReminders(
    @Arg('period', () => FeedbackPeriod) period: FeedbackPeriod,
    @Arg('periodStart', () => LocalDateScalar) periodStart: LocalDate,
    @Ctx() ctx: Context,
  ): Promise<FeedbackReminder[]> {
    return ctx.services.feedback.remind(ctx.principal!, period, periodStart);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The author of a named report; always null when anonymous.' })
  async author(@Root() report: FeedbackReport, @Ctx() ctx: Context): Promise<User | null> {
    if (report.anonymous) return null;
    return ctx.loaders.userOrNull(await ctx.loaders.feedbackAuthorOfReport.load(report.id));
  }

  @FieldResolver(() => Float)
  hoursSaved(@Root() report: FeedbackReport): number {
    return Number(report.hoursSaved);
  }

  @FieldResolver(() => LocalDateScalar, { description: 'Last day of the period.' })
  periodEnd(@Root() report: FeedbackReport): LocalDate {
    return periodEnd(report.period, report.periodStart)!;
  }

  @FieldResolver(() => [FeedbackItem])
  items(@Root() report: FeedbackReport, @Ctx() ctx: Context): Promise<FeedbackItem[]> {
    return ctx.loaders.feedbackItemsOfReport.load(report.id);
  }
}

@Resolver(() => FeedbackItem)
export class FeedbackItemResolver {
  @Authorized(Permission.FEEDBACK_TRIAGE)
  @Mutation(() => FeedbackItem, {
    description: 'SUBMITTED → IN_REVIEW | REJECTED, IN_REVIEW → REJECTED, DECIDED → RESOLVED | REJECTED. REJECTED needs a note.',
  })
  triageFeedbackItem(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => FeedbackStatus) status: FeedbackStatus,
    @Arg('note', () => String, { nullable: true, description: 'At most 2000 characters.' }) note: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<FeedbackItem> {
    return ctx.services.feedback.triage(ctx.principal!, id, status, note);
  }

  @FieldResolver(() => FeedbackReport)
  async report(@Root() item: FeedbackItem, @Ctx() ctx: Context): Promise<FeedbackReport> {
    return (await ctx.loaders.feedbackReportById.load(item.reportId))!;
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The linked customer, when you may see it in the ledger.' })
  async customer(@Root() item: FeedbackItem, @Ctx() ctx: Context): Promise<Customer | null> {
    if (!item.customerId || !can(ctx.principal!, Permission.LEDGER_READ)) return null;
    const customer = await ctx.loaders.customerById.load(item.customerId);
    return customer && canSeeCustomerOwnedBy(ctx.principal!, customer.ownerId) ? customer : null;
  }

  @FieldResolver(() => Receivable, { nullable: true, description: 'The linked receivable, when you may see it in the ledger.' })
  async receivable(@Root() item: FeedbackItem, @Ctx() ctx: Context): Promise<Receivable | null> {
    if (!item.receivableId || !(await this.customer(item, ctx))) return null;
    return (await ctx.loaders.receivableById.load(item.receivableId)) ?? null;
  }

  @FieldResolver(() => ImprovementProposal, { nullable: true })
  async proposal(@Root() item: FeedbackItem, @Ctx() ctx: Context): Promise<ImprovementProposal | null> {
    return item.proposalId ? ((await ctx.loaders.improvementProposalById.load(item.proposalId)) ?? null) : null;
  }

  @FieldResolver(() => [FeedbackItemStep], { description: 'Workflow steps after submission, oldest first.' })
  history(@Root() item: FeedbackItem, @Ctx() ctx: Context): Promise<FeedbackItemStep[]> {
    return ctx.loaders.feedbackStepsOfItem.load(item.id);
  }
}

@Resolver(() => FeedbackItemStep)
export class FeedbackItemStepResolver {
  @FieldResolver(() => User, { description: 'The project lead or manager who took the step.' })
  async by(@Root() step: FeedbackItemStep, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userById.load(step.actorId))!;
  }
}

@Resolver(() => ImprovementProposal)
export class ImprovementProposalResolver {
  @Authorized(Permission.FEEDBACK_READ)
  @Query(() => [ImprovementProposal], { description: 'Newest first.' })
  improvementProposals(
    @Arg('status', () => ProposalStatus, { nullable: true }) status: ProposalStatus | undefined,
    @Ctx() ctx: Context,
  ): Promise<ImprovementProposal[]> {
    return ctx.services.feedback.proposals(status ?? undefined);
  }

  @Authorized(Permission.FEEDBACK_TRIAGE)
  @Mutation(() => ImprovementProposal, { description: 'Groups open items (SUBMITTED ones move to IN_REVIEW) into a DRAFT proposal.' })
  createImprovementProposal(@Arg('input', () => CreateProposalInput) input: CreateProposalInput, @Ctx() ctx: Context): Promise<ImprovementProposal> {
    return ctx.services.feedback.createProposal(ctx.principal!, input);
  }

  @Authorized(Permission.FEEDBACK_TRIAGE)
  @Mutation(() => ImprovementProposal, { description: 'DRAFT or DEFERRED → ESCALATED; its items become ESCALATED.' })
  escalateProposal(
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true, description: 'At most 2000 characters.' }) note: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<ImprovementProposal> {
    return ctx.services.feedback.escalate(ctx.principal!, id, note);
  }

  @Authorized(Permission.PROPOSAL_DECIDE)
  @Mutation(() => ImprovementProposal, { description: 'ESCALATED → ADOPTED, REJECTED or DEFERRED; its items become DECIDED. The rationale is required.' })
  decideProposal(
    @Arg('id', () => ID) id: string,
    @Arg('decision', () => ProposalDecision) decision: ProposalDecision,
    @Arg('rationale', { description: '1–5000 characters.' }) rationale: string,
    @Ctx() ctx: Context,
  ): Promise<ImprovementProposal> {
    return ctx.services.feedback.decide(ctx.principal!, id, decision, rationale);
  }

  @FieldResolver(() => [FeedbackItem], { description: 'For SALES and FINANCE only their own items.' })
  async items(@Root() proposal: ImprovementProposal, @Ctx() ctx: Context): Promise<FeedbackItem[]> {
    const items = await ctx.loaders.feedbackItemsOfProposal.load(proposal.id);
    if (ctx.services.feedback.canReadAll(ctx.principal!)) return items;
    const authors = await Promise.all(items.map((i) => (i.reportAnonymous ? Promise.resolve(null) : ctx.loaders.feedbackAuthorOfReport.load(i.reportId))));
    return items.filter((_, n) => authors[n] === ctx.principal!.userId);
  }

  @FieldResolver(() => Int)
  async itemCount(@Root() proposal: ImprovementProposal, @Ctx() ctx: Context): Promise<number> {
    return (await this.items(proposal, ctx)).length;
  }

  @FieldResolver(() => User)
  async createdBy(@Root() proposal: ImprovementProposal, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userById.load(proposal.createdById))!;
  }

  @FieldResolver(() => User, { nullable: true })
  escalatedBy(@Root() proposal: ImprovementProposal, @Ctx() ctx: Context): Promise<User | null> {
    return ctx.loaders.userOrNull(proposal.escalatedById);
  }

  @FieldResolver(() => User, { nullable: true })
  decidedBy(@Root() proposal: ImprovementProposal, @Ctx() ctx: Context): Promise<User | null> {
    return ctx.loaders.userOrNull(proposal.decidedById);
  }
}

@Resolver(() => ComplianceEntry)
export class ComplianceEntryResolver {
  @FieldResolver(() => User)
  async user(@Root() entry: ComplianceEntry, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userById.load(entry.userId))!;
  }
}

@Resolver(() => FeedbackReminder)
export class FeedbackReminderResolver {
  @FieldResolver(() => User)
  async user(@Root() reminder: FeedbackReminder, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userById.load(reminder.userId))!;
  }
}

/** GraphQL types of the aging report and the collection statistics (API.md names). */
import { Authorized, Field, Float, Int, ObjectType } from 'type-graphql';
import { Permission } from '../../core/access';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';

@ObjectType({ description: 'Outstanding amounts by days past the effective due date.' })
export class AgingBuckets {
  @Field(() => MoneyScalar, { description: 'Everything outstanding as of the date.' })
  total!: Cents;

  @Field(() => MoneyScalar, { description: 'Not past the effective due date.' })
  current!: Cents;

  @Field(() => MoneyScalar, { description: '1–30 days past the effective due date.' })
  d1to30!: Cents;

  @Field(() => MoneyScalar, { description: '31–60 days past.' })
  d31to60!: Cents;

  @Field(() => MoneyScalar, { description: '61–90 days past.' })
  d61to90!: Cents;

  @Field(() => MoneyScalar, { description: 'More than 90 days past.' })
  over90!: Cents;

  @Field(() => MoneyScalar, {
    description:
      'The disputed slice: what open disputes cover as of the date, each receivable at most its outstanding. Part of the buckets above (they still count it), not added to them.',
  })
  disputed!: Cents;

  @Field(() => Int, { description: 'Receivables with something outstanding.' })
  receivables!: number;

  @Field(() => Int, { description: 'Of those, past their effective due date.' })
  overdueCount!: number;
}

@ObjectType({ description: 'Aging of the receivables issued under one salesperson.' })
export class SalespersonAging extends AgingBuckets {
  salespersonId!: string;
}

@ObjectType({ description: 'Outstanding as the ledger stood at the end of asOf (payments count from the date the money arrived).' })
export class AgingReport extends AgingBuckets {
  @Field(() => LocalDateScalar)
  asOf!: LocalDate;

  @Authorized(Permission.COLLECTION_STATS_READ)
  @Field(() => [SalespersonAging], { description: 'One row per salesperson the receivables were issued under, by name.' })
  bySalesperson!: SalespersonAging[];
}

@ObjectType({ description: 'Collection figures over a window; formulas in docs/metrics.md. Rates are ratios in [0, 1], null when undefined.' })
export class CollectionFigures {
  @Field(() => MoneyScalar, { description: 'Amount of the receivables whose effective due date falls in the window.' })
  due!: Cents;

  @Field(() => Int, { description: 'Number of those receivables.' })
  dueCount!: number;

  @Field(() => MoneyScalar, { description: 'Of `due`, what was collected (money arrived) by the end of the window.' })
  collected!: Cents;

  @Field(() => Float, { nullable: true, description: 'collected / due; null when nothing fell due.' })
  collectionRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Of `due`, the share whose money arrived by the receivable’s effective due date; null when nothing fell due.',
  })
  onTimeRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Days sales outstanding: closing outstanding / credit sales × days in the window; null without sales.' })
  dso!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Collection effectiveness index in [0, 1]: collected / (collected + closing overdue), write-offs excluded.',
  })
  cei!: number | null;

  @Field(() => MoneyScalar, { description: 'Credit sales: amount of receivables issued in the window.' })
  sales!: Cents;

  @Field(() => MoneyScalar, { description: 'Money applied to receivables in the window (by arrival date).' })
  collectedInWindow!: Cents;

  @Field(() => MoneyScalar, { description: 'Outstanding at the end of the day before the window.' })
  openingOutstanding!: Cents;

  @Field(() => MoneyScalar, { description: 'Outstanding at the end of the window.' })
  closingOutstanding!: Cents;

  @Field(() => MoneyScalar, { description: 'Part of closingOutstanding past its effective due date.' })
  overdueAmount!: Cents;

  @Field(() => Int)
  overdueCount!: number;

  @Field(() => Float, { nullable: true, description: 'overdueAmount / closingOutstanding; null when nothing is outstanding.' })
  overdueRatio!: number | null;

  @Field(() => MoneyScalar, {
    description: 'The disputed slice of closingOutstanding: what open disputes cover at the end of the window, each receivable at most its outstanding.',
  })
  disputed!: Cents;

  @Field(() => Float, { nullable: true, description: 'disputed / closingOutstanding; null when nothing is outstanding.' })
  disputedShare!: number | null;

  @Field(() => MoneyScalar, { description: 'Σ amount of the promises to pay due in the window and settled (KEPT, PARTIAL, BROKEN).' })
  promised!: Cents;

  @Field(() => MoneyScalar, { description: 'Of `promised`, what was kept: a KEPT promise its amount, a PARTIAL one the money counted for it.' })
  promisedKept!: Cents;

  @Field(() => Float, { nullable: true, description: 'Promise kept rate, amount-weighted: promisedKept / promised; null without settled promises.' })
  promiseKeptRate!: number | null;

  @Field(() => Int, { description: 'Customers that fell overdue in the window (docs/metrics.md, contact coverage).' })
  customersFellOverdue!: number;

  @Field(() => Int, { description: 'Of those, the ones contacted within CONTACT_SLA_WORKING_DAYS working days of falling overdue.' })
  customersContactedInTime!: number;

  @Field(() => Float, { nullable: true, description: 'customersContactedInTime / customersFellOverdue; null when no customer fell overdue.' })
  contactCoverage!: number | null;
}

@ObjectType({ description: 'Collection figures of the receivables issued under one salesperson.' })
export class SalespersonCollectionStats extends CollectionFigures {
  salespersonId!: string;
}

@ObjectType()
export class CollectionStats extends CollectionFigures {
  @Field(() => LocalDateScalar)
  from!: LocalDate;

  @Field(() => LocalDateScalar)
  to!: LocalDate;

  @Authorized(Permission.COLLECTION_STATS_READ)
  @Field(() => [SalespersonCollectionStats], { description: 'One row per salesperson with receivables in play in the window.' })
  bySalesperson!: SalespersonCollectionStats[];
}

/** GraphQL types of the weekly analysis snapshots. */
import { Authorized, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Permission } from '../../core/access';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { AgingReport, CollectionStats } from './analytics.types';

export enum WeeklyAnalysisTrigger {
  SCHEDULE = 'SCHEDULE',
  MANUAL = 'MANUAL',
}
registerEnumType(WeeklyAnalysisTrigger, {
  name: 'WeeklyAnalysisTrigger',
  description: 'SCHEDULE: stored by the weekly schedule; MANUAL: by publishWeeklyAnalysis.',
});

@ObjectType({ description: 'A customer with receivables past their effective due date at the end of the week.' })
export class OverdueCustomer {
  @Field(() => ID)
  customerId!: string;

  @Field({ description: 'Code when the snapshot was taken.' })
  code!: string;

  @Field({ description: 'Name when the snapshot was taken.' })
  name!: string;

  @Field(() => MoneyScalar)
  overdueAmount!: Cents;

  @Field(() => Int)
  overdueCount!: number;

  @Field(() => Int, { description: 'Days past the effective due date of the oldest overdue receivable.' })
  maxDaysOverdue!: number;
}

@ObjectType({ description: 'How long after the money arrived payments were booked (working days).' })
export class BookingLagFigures {
  @Field(() => Int, { description: 'Payments booked in the week (not voided).' })
  payments!: number;

  @Field(() => Int, { description: 'Of those, booked one or more working days after the money arrived.' })
  latePayments!: number;

  @Field(() => Int, { description: 'Of those, booked later than BOOKING_LAG_LIMIT_DAYS (needed a reason).' })
  overLimit!: number;

  @Field(() => Float, { nullable: true, description: 'Median lag of the late payments; null when none was late.' })
  medianLagDays!: number | null;

  @Field(() => Int, { nullable: true, description: 'Longest lag; null when none was late.' })
  maxLagDays!: number | null;
}

@ObjectType({ description: 'Booking lag of the payments one clerk booked.' })
export class ClerkBookingLag extends BookingLagFigures {
  clerkId!: string;
}

@ObjectType()
export class BookingLagStats extends BookingLagFigures {
  @Authorized(Permission.COLLECTION_STATS_READ)
  @Field(() => [ClerkBookingLag], { description: 'Per booking clerk, most late payments first.' })
  byClerk!: ClerkBookingLag[];
}

@ObjectType({ description: 'This week minus the previous stored snapshot (as it was reported). Money as signed decimal strings.' })
export class WeeklyChange {
  @Field(() => LocalDateScalar)
  previousWeekStart!: LocalDate;

  @Field({ description: 'Change of the total outstanding at week end, e.g. "-1200.00".' })
  outstanding!: string;

  @Field({ description: 'Change of the overdue amount at week end.' })
  overdueAmount!: string;

  @Field(() => Int)
  overdueCount!: number;

  @Field({ description: 'Change of the money received in the week.' })
  received!: string;

  @Field(() => Float, { nullable: true, description: 'Change of the collection rate (difference of ratios); null when either week had nothing due.' })
  collectionRate!: number | null;

  @Field(() => Float, { nullable: true })
  onTimeRate!: number | null;
}

@ObjectType({ description: 'The immutable analysis of one Monday-to-Sunday week, stored when the week was over.' })
export class WeeklyAnalysis {
  publishedById!: string | null;

  @Field(() => ID, { description: 'The week start date.' })
  id!: string;

  @Field(() => LocalDateScalar, { description: 'Monday.' })
  weekStart!: LocalDate;

  @Field(() => LocalDateScalar, { description: 'Sunday.' })
  weekEnd!: LocalDate;

  @Field(() => Date)
  publishedAt!: Date;

  @Field(() => WeeklyAnalysisTrigger)
  trigger!: WeeklyAnalysisTrigger;

  @Field(() => AgingReport, { description: 'Aging at the end of the week, total and per salesperson.' })
  aging!: AgingReport;

  @Field(() => CollectionStats, { description: 'Collection figures of the week (what fell due in it, rates, DSO, CEI), total and per salesperson.' })
  collections!: CollectionStats;

  @Field(() => MoneyScalar, { description: 'Money received in the week (by arrival date), including what stayed customer credit.' })
  received!: Cents;

  @Field(() => Int)
  paymentsReceived!: number;

  @Field(() => MoneyScalar, { description: 'Outstanding past its effective due date at the end of the week.' })
  overdueAmount!: Cents;

  @Field(() => Int)
  overdueCount!: number;

  @Field(() => Int, { description: 'Receivables whose first overdue day fell in the week and that were unpaid at its end.' })
  newOverdueCount!: number;

  @Field(() => MoneyScalar)
  newOverdueAmount!: Cents;

  @Authorized(Permission.COLLECTION_STATS_READ)
  @Field(() => [OverdueCustomer], { description: 'The 10 customers with the most overdue at the end of the week.' })
  topOverdueCustomers!: OverdueCustomer[];

  @Field(() => BookingLagStats, { description: 'Payments booked in the week, and how late after the money arrived.' })
  bookingLag!: BookingLagStats;

  @Field(() => WeeklyChange, { nullable: true, description: 'Against the previous week’s snapshot; null when there is none.' })
  change!: WeeklyChange | null;
}

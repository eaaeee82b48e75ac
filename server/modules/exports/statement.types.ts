/** GraphQL types of a customer's statement (`customerStatement`): its items as of a date and the totals. */
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { DisputeState } from '../disputes/dispute.entity';
import { PromiseState } from '../promises/promise.types';

@ObjectType({ simpleResolvers: true, description: 'The latest promise covering the receivable that was made by the date and still open on it.' })
export class StatementPromise {
  @Field(() => ID)
  id!: string;

  @Field(() => LocalDateScalar)
  promisedOn!: LocalDate;

  @Field(() => MoneyScalar)
  amount!: Cents;

  @Field(() => PromiseState, { description: 'Its state now (OPEN, or how it was judged after the date).' })
  state!: PromiseState;
}

@ObjectType({ simpleResolvers: true, description: 'The latest dispute of the receivable open on the date (opened by it, not resolved by it).' })
export class StatementDispute {
  @Field(() => ID)
  id!: string;

  @Field(() => LocalDateScalar)
  openedOn!: LocalDate;

  @Field(() => MoneyScalar)
  amount!: Cents;

  @Field(() => DisputeState, { description: 'Its state now (OPEN, or RESOLVED after the date).' })
  state!: DisputeState;
}

@ObjectType({ simpleResolvers: true, description: 'One receivable of the customer issued by the statement date.' })
export class StatementItem {
  @Field(() => ID)
  receivableId!: string;

  @Field()
  reference!: string;

  @Field(() => LocalDateScalar)
  issuedOn!: LocalDate;

  @Field(() => LocalDateScalar)
  dueOn!: LocalDate;

  @Field(() => LocalDateScalar, { description: 'The due date rolled forward to a working day: the one lateness is counted from.' })
  effectiveDueOn!: LocalDate;

  @Field(() => MoneyScalar)
  amount!: Cents;

  @Field(() => MoneyScalar, {
    description: 'Outstanding at the end of the date as the ledger now knows it (payments count from the day the money arrived): the aging report’s position.',
  })
  outstanding!: Cents;

  @Field(() => Int, { description: 'Days past the effective due date on the date (0 when not past).' })
  daysOverdue!: number;

  @Field(() => MoneyScalar, { description: 'What disputes open on the date cover, at most the outstanding (the aging report’s disputed slice).' })
  disputedAmount!: Cents;

  @Field(() => StatementPromise, { nullable: true })
  promise!: StatementPromise | null;

  @Field(() => StatementDispute, { nullable: true })
  dispute!: StatementDispute | null;
}

@ObjectType({
  simpleResolvers: true,
  description: "A customer's statement as of a business date: the items, their totals and the customer's unallocated credit.",
})
export class CustomerStatement {
  @Field(() => ID)
  customerId!: string;

  @Field()
  customerCode!: string;

  @Field()
  customerName!: string;

  @Field(() => LocalDateScalar)
  asOf!: LocalDate;

  @Field({ description: 'Whether items with nothing outstanding on the date were left out.' })
  openItemsOnly!: boolean;

  @Field(() => [StatementItem], { description: 'By effective due date, then issue date and reference.' })
  items!: StatementItem[];

  @Field(() => MoneyScalar, { description: 'Σ outstanding of the items (equals the aging report’s total for these receivables).' })
  totalOutstanding!: Cents;

  @Field(() => MoneyScalar, { description: 'Part of totalOutstanding past its effective due date.' })
  totalOverdue!: Cents;

  @Field(() => MoneyScalar, { description: 'Σ disputedAmount of the items.' })
  totalDisputed!: Cents;

  @Field(() => Int, { description: 'Items with something outstanding.' })
  openItems!: number;

  @Field(() => MoneyScalar, {
    description: 'Money received from the customer by the date and not allocated to any receivable by then (voided payments never count).',
  })
  unallocatedCredit!: Cents;
}

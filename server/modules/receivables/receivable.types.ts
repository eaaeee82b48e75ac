/** Inputs, filters and connections of the receivables area. */
import { Field, ID, InputType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { connectionType } from '../../core/pagination';
import { Receivable, ReceivableStatus } from './receivable.entity';

@InputType()
export class CreateReceivableInput {
  @Field(() => ID)
  customerId!: string;

  @Field({ description: 'Invoice or order number, unique per customer (1–60 characters).' })
  reference!: string;

  @Field(() => MoneyScalar, { description: 'Greater than zero.' })
  amount!: Cents;

  @Field(() => LocalDateScalar)
  issuedOn!: LocalDate;

  @Field(() => LocalDateScalar, { nullable: true, description: "Defaults to issuedOn + the customer's credit term days." })
  dueOn?: LocalDate;
}

@InputType()
export class ReceivableFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field(() => ID, { nullable: true, description: 'The salesperson the receivable was issued under.' })
  salespersonId?: string;

  @Field(() => [ReceivableStatus], { nullable: true })
  status?: ReceivableStatus[];

  @Field(() => LocalDateScalar, { nullable: true })
  dueFrom?: LocalDate;

  @Field(() => LocalDateScalar, { nullable: true })
  dueTo?: LocalDate;

  @Field({ nullable: true, description: 'Only receivables past their effective due date with money outstanding (true), or not (false).' })
  overdue?: boolean;

  @Field({ nullable: true, description: 'Only receivables the overdue engine holds in an overdue stage (true), or not (false).' })
  alarmed?: boolean;

  @Field({ nullable: true, description: 'Case-insensitive search in the reference, at most 100 characters.' })
  search?: string;
}

@InputType()
export class PaymentNoticeInput {
  @Field(() => ID)
  receivableId!: string;

  @Field(() => LocalDateScalar, { description: 'The date the customer says they paid.' })
  claimedPaidOn!: LocalDate;

  @Field({ description: '1–2000 characters.' })
  note!: string;
}

export const ReceivableConnection = connectionType('Receivable', Receivable);
export type ReceivableConnection = InstanceType<typeof ReceivableConnection>;

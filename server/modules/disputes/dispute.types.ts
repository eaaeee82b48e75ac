/** Inputs, filters and connections of the disputes area. */
import { Field, ID, InputType } from 'type-graphql';
import { type Cents } from '../../core/money';
import { connectionType } from '../../core/pagination';
import { MoneyScalar } from '../../core/scalars';
import { Dispute, DisputeCategory, DisputeState } from './dispute.entity';

@InputType()
export class OpenDisputeInput {
  @Field(() => ID)
  receivableId!: string;

  @Field(() => MoneyScalar, { description: 'Greater than zero, at most what is outstanding and not yet disputed on the receivable.' })
  amount!: Cents;

  @Field(() => DisputeCategory)
  category!: DisputeCategory;

  @Field({ description: 'What the customer says (1–2000 characters).' })
  reason!: string;
}

@InputType()
export class DisputeFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field(() => ID, { nullable: true })
  receivableId?: string;

  @Field(() => DisputeState, { nullable: true })
  state?: DisputeState;
}

export const DisputeConnection = connectionType('Dispute', Dispute);
export type DisputeConnection = InstanceType<typeof DisputeConnection>;

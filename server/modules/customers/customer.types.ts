/** Inputs, filters and connections of the customers area. */
import { Field, ID, InputType, Int } from 'type-graphql';
import { type Cents } from '../../core/money';
import { MoneyScalar } from '../../core/scalars';
import { connectionType } from '../../core/pagination';
import { Customer } from './customer.entity';

@InputType()
export class CreateCustomerInput {
  @Field({ description: 'Unique code, 1–40 characters.' })
  code!: string;

  @Field({ description: '1–200 characters.' })
  name!: string;

  @Field(() => ID, { description: 'The SALES user who owns the customer.' })
  ownerId!: string;

  @Field(() => Int, { description: 'Days from issue to due date for new receivables (0–3650).' })
  creditTermDays!: number;

  @Field(() => MoneyScalar)
  creditLimit!: Cents;
}

@InputType()
export class UpdateCustomerInput {
  @Field({ nullable: true, description: '1–40 characters.' })
  code?: string;

  @Field({ nullable: true, description: '1–200 characters.' })
  name?: string;

  @Field(() => Int, { nullable: true })
  creditTermDays?: number;

  @Field(() => MoneyScalar, { nullable: true })
  creditLimit?: Cents;
}

@InputType()
export class CustomerFilter {
  @Field(() => ID, { nullable: true })
  ownerId?: string;

  @Field({ nullable: true, description: 'Case-insensitive search in code and name, at most 100 characters.' })
  search?: string;

  @Field({ nullable: true, description: 'Only customers with (true) or without (false) an overdue receivable.' })
  hasOverdue?: boolean;
}

export const CustomerConnection = connectionType('Customer', Customer);
export type CustomerConnection = InstanceType<typeof CustomerConnection>;

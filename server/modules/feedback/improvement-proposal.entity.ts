/** An improvement proposal: items grouped by a project lead, escalated, decided by a manager. */
import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { ProposalDecision, ProposalStatus } from './feedback.enums';

@ObjectType()
@Entity({ tableName: 'improvement_proposal' })
export class ImprovementProposal {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ type: 'text' })
  title!: string;

  @Field()
  @Property({ type: 'text' })
  description!: string;

  @Field(() => ProposalStatus)
  @Enum({ items: () => ProposalStatus, type: 'text' })
  status!: ProposalStatus;

  @Property({ type: 'uuid' })
  createdById!: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  escalatedById: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  escalatedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  escalationNote: string | null = null;

  @Field(() => ProposalDecision, { nullable: true })
  @Enum({ items: () => ProposalDecision, type: 'text', nullable: true })
  decision: ProposalDecision | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  rationale: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  decidedById: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null = null;
}

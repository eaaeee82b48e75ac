/** GraphQL types of the business calendar. */
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DayKind } from '../../core/business-calendar';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';

registerEnumType(DayKind, {
  name: 'DayKind',
  description: 'HOLIDAY: a day off; WORKDAY: a working day, also on a weekend (make-up day).',
});

@ObjectType()
export class CalendarDay {
  @Field(() => LocalDateScalar)
  date!: LocalDate;

  @Field({ description: 'Whether this is a working day.' })
  working!: boolean;

  @Field()
  weekend!: boolean;

  @Field(() => DayKind, { nullable: true, description: 'The override set for this day, if any.' })
  kind!: DayKind | null;

  @Field(() => String, { nullable: true })
  name!: string | null;
}

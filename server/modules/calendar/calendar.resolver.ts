/** GraphQL surface of the business calendar. */
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { DayKind } from '../../core/business-calendar';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { CalendarDay } from './calendar.types';

@Resolver()
export class CalendarResolver {
  @Authorized()
  @Query(() => [CalendarDay], { description: 'Every day from `from` to `to` (at most 366 days).' })
  calendar(@Arg('from', () => LocalDateScalar) from: LocalDate, @Arg('to', () => LocalDateScalar) to: LocalDate, @Ctx() ctx: Context): Promise<CalendarDay[]> {
    return ctx.services.calendar.days(from, to);
  }

  @Authorized(Permission.ADMINISTER)
  @Mutation(() => CalendarDay, { description: 'Marks a day as HOLIDAY or WORKDAY; effective due dates follow.' })
  setCalendarDay(
    @Arg('date', () => LocalDateScalar) date: LocalDate,
    @Arg('kind', () => DayKind) kind: DayKind,
    @Arg('name', () => String, { nullable: true, description: 'At most 100 characters.' }) name: string | null,
    @Ctx() ctx: Context,
  ): Promise<CalendarDay> {
    return ctx.services.calendar.setDay(date, kind, name);
  }

  @Authorized(Permission.ADMINISTER)
  @Mutation(() => CalendarDay, { description: 'Removes the override of a day: it follows the weekday rule again.' })
  clearCalendarDay(@Arg('date', () => LocalDateScalar) date: LocalDate, @Ctx() ctx: Context): Promise<CalendarDay> {
    return ctx.services.calendar.setDay(date, null, null);
  }
}

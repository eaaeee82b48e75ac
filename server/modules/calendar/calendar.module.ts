/**
 * The calendar area: holidays and make-up working days, and the effective due dates
 * that depend on them. On start it brings stored effective due dates in line with
 * GRACE_WORKING_DAYS.
 */
import { defineArea, type RequestScope } from '../../core/module';
import { CalendarDayOverride } from './calendar-day.entity';
import { CalendarResolver } from './calendar.resolver';
import { CalendarService, syncGraceWorkingDays } from './calendar.service';

declare module '../../context' {
  interface Services {
    calendar: CalendarService;
  }
}

export const calendarArea = defineArea({
  name: 'calendar',
  entities: [CalendarDayOverride],
  resolvers: [CalendarResolver],
  async setup({ background, config }) {
    await syncGraceWorkingDays(background.em.fork(), config.graceWorkingDays);
    return {
      services: ({ em, events }: RequestScope) => ({ calendar: new CalendarService(em, config.graceWorkingDays, events) }),
    };
  },
});

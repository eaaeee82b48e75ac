/**
 * The calendar area: holidays and make-up working days, and the effective due dates
 * that depend on them. On start it brings stored effective due dates in line with
 * GRACE_WORKING_DAYS.
 */
import { defineArea, type RequestScope } from '../../core/module';
import { CalendarDayOverride } from './calendar-day.entity';
import { CalendarResolver } from './calendar.resolver';
import { CALENDAR_CHANGE_PARTICIPANTS, CalendarService, syncGraceWorkingDays } from './calendar.service';

declare module '../../context' {
  interface Services {
    calendar: CalendarService;
  }
}

export const calendarArea = defineArea({
  name: 'calendar',
  entities: [CalendarDayOverride],
  resolvers: [CalendarResolver],
  async setup({ background, config, extensions }) {
    await syncGraceWorkingDays(background.em.fork(), config.graceWorkingDays);
    // Filled by the areas above in their setup (after this one); a live list.
    const participants = extensions.list(CALENDAR_CHANGE_PARTICIPANTS);
    return {
      services: ({ em, events }: RequestScope) => ({ calendar: new CalendarService(em, config.graceWorkingDays, events, participants) }),
    };
  },
});

/**
 * The calendar service in-process: setting a day recomputes the stored effective due
 * date of exactly the receivables whose roll-forward (and grace) passes over that day.
 *
 * March 2027: Mon 1, … Mon 8, Tue 9, Wed 10, Thu 11, Fri 12, Sat 13, Sun 14, Mon 15,
 * Tue 16, Wed 17. Each describe has a database of its own, so overrides never leak.
 */
import { DayKind } from '../../server/core/business-calendar';
import { openServiceScope, type ServiceScope } from '../helpers/service-scope';

/** Effective due dates by reference, read back in a fresh unit of work. */
async function effectiveDueDates(scope: ServiceScope, ids: Record<string, string>): Promise<Record<string, string>> {
  const { services } = scope.unit();
  const result: Record<string, string> = {};
  for (const [reference, id] of Object.entries(ids)) result[reference] = (await services.receivables.getVisible(scope.admin, id)).effectiveDueOn;
  return result;
}

describe('no grace days', () => {
  let scope: ServiceScope;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    scope = await openServiceScope({ today: '2027-03-01' });
    const customer = await scope.make.customer(await scope.createUser('SALES'));
    for (const [reference, dueOn] of [
      ['WED-10', '2027-03-10'],
      ['FRI-12', '2027-03-12'],
      ['SAT-13', '2027-03-13'],
      ['SUN-14', '2027-03-14'],
      ['MON-15', '2027-03-15'],
      ['TUE-16', '2027-03-16'],
    ]) {
      ids[reference] = (await scope.make.receivable(customer.id, { reference, amount: '100.00', dueOn })).id;
    }
  });
  afterAll(() => scope?.close());

  test('weekends roll forward to Monday', async () => {
    expect(await effectiveDueDates(scope, ids)).toEqual({
      'WED-10': '2027-03-10',
      'FRI-12': '2027-03-12',
      'SAT-13': '2027-03-15',
      'SUN-14': '2027-03-15',
      'MON-15': '2027-03-15',
      'TUE-16': '2027-03-16',
    });
  });

  test('a holiday on Monday 15 moves exactly the receivables that rolled onto it to Tuesday', async () => {
    const day = await scope.unit().services.calendar.setDay('2027-03-15', DayKind.HOLIDAY, 'Company day');
    expect(day).toEqual({ date: '2027-03-15', working: false, weekend: false, kind: DayKind.HOLIDAY, name: 'Company day' });
    expect(await effectiveDueDates(scope, ids)).toEqual({
      'WED-10': '2027-03-10',
      'FRI-12': '2027-03-12',
      'SAT-13': '2027-03-16',
      'SUN-14': '2027-03-16',
      'MON-15': '2027-03-16',
      'TUE-16': '2027-03-16',
    });
  });

  test('a make-up WORKDAY on Saturday 13 pulls back only what was due on the Saturday', async () => {
    await scope.unit().services.calendar.setDay('2027-03-13', DayKind.WORKDAY, 'Make-up day');
    expect(await effectiveDueDates(scope, ids)).toEqual({
      'WED-10': '2027-03-10',
      'FRI-12': '2027-03-12',
      'SAT-13': '2027-03-13',
      'SUN-14': '2027-03-16', // Sunday still rolls forward, over the Monday holiday
      'MON-15': '2027-03-16',
      'TUE-16': '2027-03-16',
    });
  });

  test('clearing the holiday gives Monday back to what rolls onto it', async () => {
    await scope.unit().services.calendar.setDay('2027-03-15', null, null);
    expect(await effectiveDueDates(scope, ids)).toEqual({
      'WED-10': '2027-03-10',
      'FRI-12': '2027-03-12',
      'SAT-13': '2027-03-13',
      'SUN-14': '2027-03-15',
      'MON-15': '2027-03-15',
      'TUE-16': '2027-03-16',
    });
  });

  test('a new receivable is issued against the calendar as it stands', async () => {
    const customer = await scope.make.customer(await scope.createUser('SALES'));
    const onSaturday = await scope.make.receivable(customer.id, { amount: '5.00', dueOn: '2027-03-13' });
    expect(onSaturday.effectiveDueOn).toBe('2027-03-13');
    const onSunday = await scope.make.receivable(customer.id, { amount: '5.00', dueOn: '2027-03-14' });
    expect(onSunday.effectiveDueOn).toBe('2027-03-15');
  });
});

describe('GRACE_WORKING_DAYS=2', () => {
  let scope: ServiceScope;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    scope = await openServiceScope({ today: '2027-03-01', env: { GRACE_WORKING_DAYS: '2' } });
    const customer = await scope.make.customer(await scope.createUser('SALES'));
    for (const [reference, dueOn] of [
      ['MON-08', '2027-03-08'],
      ['WED-10', '2027-03-10'],
      ['THU-11', '2027-03-11'],
      ['FRI-12', '2027-03-12'],
      ['MON-15', '2027-03-15'],
    ]) {
      ids[reference] = (await scope.make.receivable(customer.id, { reference, amount: '100.00', dueOn })).id;
    }
  });
  afterAll(() => scope?.close());

  test('two working days of grace after the rolled-forward due date', async () => {
    expect(await effectiveDueDates(scope, ids)).toEqual({
      'MON-08': '2027-03-10',
      'WED-10': '2027-03-12',
      'THU-11': '2027-03-15', // Fri 12, (weekend), Mon 15
      'FRI-12': '2027-03-16',
      'MON-15': '2027-03-17',
    });
  });

  test('a holiday on Friday 12 moves the receivables whose grace runs over it, and no other', async () => {
    await scope.unit().services.calendar.setDay('2027-03-12', DayKind.HOLIDAY, 'Bridge day');
    expect(await effectiveDueDates(scope, ids)).toEqual({
      'MON-08': '2027-03-10', // grace ends before the holiday
      'WED-10': '2027-03-15', // Thu 11, (Fri holiday, weekend), Mon 15
      'THU-11': '2027-03-16', // Mon 15, Tue 16
      'FRI-12': '2027-03-17', // rolled to Mon 15, then Tue 16, Wed 17
      'MON-15': '2027-03-17', // due after the holiday
    });
  });
});

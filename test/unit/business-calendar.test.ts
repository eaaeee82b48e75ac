import { BusinessCalendar, DayKind } from '../../server/core/business-calendar';

// January 2027: Fri 1, Sat 2, Sun 3, Mon 4 … Sat 9, Sun 10.
const newYear = new BusinessCalendar(new Map([['2027-01-01', DayKind.HOLIDAY]]));

test('weekends are off, weekdays on, by default', () => {
  const plain = new BusinessCalendar();
  expect(plain.isWorkingDay('2027-01-01')).toBe(true);
  expect(plain.isWorkingDay('2027-01-02')).toBe(false);
  expect(plain.isWorkingDay('2027-01-03')).toBe(false);
});

test('a holiday is off, a make-up WORKDAY on a weekend is on', () => {
  const calendar = new BusinessCalendar(
    new Map([
      ['2027-01-01', DayKind.HOLIDAY],
      ['2027-01-09', DayKind.WORKDAY],
    ]),
  );
  expect(calendar.isWorkingDay('2027-01-01')).toBe(false);
  expect(calendar.isWorkingDay('2027-01-09')).toBe(true);
});

test('the seed case: due 1 January on a holiday rolls to Monday 4 January', () => {
  expect(newYear.effectiveDueOn('2027-01-01', 0)).toBe('2027-01-04');
});

test('due on a weekend rolls to Monday; on a working day it stays', () => {
  const plain = new BusinessCalendar();
  expect(plain.effectiveDueOn('2027-01-09', 0)).toBe('2027-01-11');
  expect(plain.effectiveDueOn('2027-01-05', 0)).toBe('2027-01-05');
});

test('grace is counted in working days after the roll-forward', () => {
  // Holiday Fri 1 → Mon 4, then 2 working days → Wed 6.
  expect(newYear.effectiveDueOn('2027-01-01', 2)).toBe('2027-01-06');
  // Fri 8 + 1 working day skips the weekend → Mon 11.
  expect(new BusinessCalendar().effectiveDueOn('2027-01-08', 1)).toBe('2027-01-11');
});

test('a make-up Saturday can be an effective due date', () => {
  const calendar = new BusinessCalendar(new Map([['2027-01-09', DayKind.WORKDAY]]));
  expect(calendar.effectiveDueOn('2027-01-09', 0)).toBe('2027-01-09');
  expect(calendar.effectiveDueOn('2027-01-08', 1)).toBe('2027-01-09');
});

test('booking lag counts working days after the arrival date', () => {
  // Money arrived Thu 31 Dec 2026, booked Mon 4 Jan 2027 with 1 Jan a holiday: 1 working day.
  expect(newYear.workingDaysAfter('2026-12-31', '2027-01-04')).toBe(1);
  expect(newYear.workingDaysAfter('2027-01-04', '2027-01-04')).toBe(0);
  // Fri 8 → Fri 15: Mon–Fri of the next week = 5.
  expect(new BusinessCalendar().workingDaysAfter('2027-01-08', '2027-01-15')).toBe(5);
});

test('addWorkingDays and rollForward agree with the definition', () => {
  const plain = new BusinessCalendar();
  expect(plain.rollForward('2027-01-02')).toBe('2027-01-04');
  expect(plain.addWorkingDays('2027-01-08', 0)).toBe('2027-01-08');
  expect(plain.addWorkingDays('2027-01-08', 5)).toBe('2027-01-15');
});

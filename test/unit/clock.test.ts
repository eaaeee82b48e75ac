import { fixedDateClock, systemClock } from '../../server/core/clock';
import { localDateAt } from '../../server/core/local-date';

test('a fixed-date clock keeps its date in the company time zone while time runs on', async () => {
  const clock = fixedDateClock('2027-01-04', 'Asia/Shanghai');
  expect(clock.today()).toBe('2027-01-04');
  const first = clock.now();
  expect(localDateAt(first, 'Asia/Shanghai')).toBe('2027-01-04');
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(clock.now().getTime()).toBeGreaterThan(first.getTime());
});

test("the system clock's today turns at the company's midnight to the millisecond", () => {
  jest.useFakeTimers({ now: new Date('2026-11-30T15:59:59.998Z') });
  try {
    const clock = systemClock('Asia/Shanghai');
    expect(clock.today()).toBe('2026-11-30');
    jest.setSystemTime(new Date('2026-11-30T15:59:59.999Z'));
    expect(clock.today()).toBe('2026-11-30');
    // 16:00 UTC is midnight in Shanghai: the next day at once, not a second later.
    jest.setSystemTime(new Date('2026-11-30T16:00:00.000Z'));
    expect(clock.today()).toBe('2026-12-01');
    jest.setSystemTime(new Date('2026-12-01T15:59:59.999Z'));
    expect(clock.today()).toBe('2026-12-01');
  } finally {
    jest.useRealTimers();
  }
});

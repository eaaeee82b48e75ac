import { fixedDateClock } from '../../server/core/clock';
import { localDateAt } from '../../server/core/local-date';

test('a fixed-date clock keeps its date in the company time zone while time runs on', async () => {
  const clock = fixedDateClock('2027-01-04', 'Asia/Shanghai');
  expect(clock.today()).toBe('2027-01-04');
  const first = clock.now();
  expect(localDateAt(first, 'Asia/Shanghai')).toBe('2027-01-04');
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(clock.now().getTime()).toBeGreaterThan(first.getTime());
});

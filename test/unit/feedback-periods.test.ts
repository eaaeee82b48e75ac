/** Period rules of the feedback area: valid period starts and the comparison window of the summary. */
import { previousWindow, validatePeriodStart } from '../../server/modules/feedback/feedback.periods';
import { FeedbackPeriod } from '../../server/modules/feedback/feedback.enums';

describe('validatePeriodStart', () => {
  const today = '2026-12-03';
  test('a WEEK starts on a Monday, a MONTH on the 1st', () => {
    expect(() => validatePeriodStart(FeedbackPeriod.WEEK, '2026-11-30', today, 'f')).not.toThrow();
    expect(() => validatePeriodStart(FeedbackPeriod.WEEK, '2026-12-01', today, 'f')).toThrow(/Monday/);
    expect(() => validatePeriodStart(FeedbackPeriod.MONTH, '2026-11-01', today, 'f')).not.toThrow();
    expect(() => validatePeriodStart(FeedbackPeriod.MONTH, '2026-11-02', today, 'f')).toThrow(/1st/);
  });
  test('not in the future, but the current period may be reported', () => {
    expect(() => validatePeriodStart(FeedbackPeriod.MONTH, '2026-12-01', today, 'f')).not.toThrow();
    expect(() => validatePeriodStart(FeedbackPeriod.WEEK, '2026-12-07', today, 'f')).toThrow(/future/);
  });
});

describe('previousWindow', () => {
  test('whole months compare with the months before, whatever their length', () => {
    expect(previousWindow('2026-11-01', '2026-11-30')).toEqual({ previousFrom: '2026-10-01', previousTo: '2026-10-31' });
    expect(previousWindow('2026-03-01', '2026-03-31')).toEqual({ previousFrom: '2026-02-01', previousTo: '2026-02-28' });
    expect(previousWindow('2026-01-01', '2026-03-31')).toEqual({ previousFrom: '2025-10-01', previousTo: '2025-12-31' });
  });
  test('anything else compares with the same number of days before', () => {
    expect(previousWindow('2026-11-23', '2026-11-29')).toEqual({ previousFrom: '2026-11-16', previousTo: '2026-11-22' });
    expect(previousWindow('2026-11-05', '2026-11-05')).toEqual({ previousFrom: '2026-11-04', previousTo: '2026-11-04' });
  });
});

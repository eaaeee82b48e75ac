/**
 * The metric formulas (server/modules/analytics/metrics.formulas.ts) on a small fixed
 * ledger. The SQL sums a ledger into WindowSums; here those sums are computed by hand in
 * the comments and fed to the formulas. The same ledger runs through the API, against
 * the SQL, in test/api/analytics-metrics.test.ts.
 *
 * Ledger (company holiday Thu 2026-11-26; window November 2026, 30 days):
 *  R1 S1 1000 eff 11-10, 1000 arrived 11-09                     (paid in full, on time)
 *  R2 S1 2000 due Sat 11-14 → eff Mon 11-16, 500 on 11-16, 700 on 11-20   (partial; weekend due date)
 *  R3 S2 1500 eff 11-18, written off on 12-07                   (after the window: still open at 11-30)
 *  R4 S2  600 eff 11-25, 600 arrived 11-24 then VOIDED          (a void counts as never paid)
 *  R5 S1  900 due Thu 11-26 (holiday) → eff Fri 11-27, payment 1200 on 11-27: 900 here, 300 credit
 *  R6 S2  400 issued 11-28 after customer C3 moved from S1 to S2; the 300 credit applied (counts from 11-28)
 *  R7 S1 300 eff 09-15, R8 S2 250 eff 08-03, R9 S2 150 eff 10-15: unpaid
 */
import {
  agingBucket,
  attainment,
  cei,
  defaultDirection,
  dso,
  GoalDirection,
  GoalMetric,
  goalStatus,
  metricValue,
  rankByScore,
  ratio,
  weightedScore,
  windowDays,
  windowMetrics,
  type WindowSums,
} from '../../server/modules/analytics/metrics.formulas';
import { formatDecimal, nanoFromNumeric, numericFromNano, parseDecimal, toNano } from '../../server/modules/analytics/goal.values';
import { dueWeekStart, parseWeeklySchedule } from '../../server/core/weekly-schedule';
import { mondayOf } from '../../server/core/periods';

// Company sums for November, by hand:
const november: WindowSums = {
  due: 600000n, // R1 1000 + R2 2000 + R3 1500 + R4 600 + R5 900 (effective due dates 11-10 … 11-27)
  dueCount: 5,
  collected: 310000n, // R1 1000 + R2 500 + 700 + R5 900; R4's payment is void; R3 nothing
  collectedOnTime: 240000n, // R1 1000 (11-09 ≤ 11-10) + R2 500 (11-16 ≤ 11-16) + R5 900 (11-27 ≤ 11-27); R2's 700 is late
  sales: 40000n, // R6 400 issued 11-28
  writtenOff: 0n, // R3's write-off is dated 12-07
  opening: 670000n, // at 10-31: R1..R5 6000 + R7 300 + R8 250 + R9 150
  closing: 370000n, // at 11-30: R2 800 + R3 1500 + R4 600 + R6 100 + R7 300 + R8 250 + R9 150
  closingOverdue: 360000n, // all but R6 (due 12-28)
  closingOverdueCount: 6,
  closingDisputed: 0n, // no dispute in this ledger
  promised: 0n, // no promise to pay, no contact log in this ledger
  promisedKept: 0n,
  fellOverdue: 0,
  contactedInTime: 0,
};

describe('collection-work metrics (issue 10)', () => {
  // Promises due in the window and settled: P1 1000.00 KEPT, P2 600.00 BROKEN, P3 400.00 PARTIAL with 150.00 counted.
  // Customers that fell overdue: 4, of which 3 were contacted within the SLA. Disputed 500.00 of 3700.00 outstanding.
  const m = windowMetrics(
    { ...november, closingDisputed: 50000n, promised: 200000n, promisedKept: 115000n, fellOverdue: 4, contactedInTime: 3 },
    '2026-11-01',
    '2026-11-30',
  );

  test('promise kept rate = kept amount / settled amount = (1000 + 150) / (1000 + 600 + 400) = 0.575', () => {
    expect(m.promiseKeptRate).toBe(0.575);
    expect(metricValue(GoalMetric.PROMISE_KEPT_RATE, m)).toBe(0.575);
  });

  test('contact coverage = 3 / 4; disputed share = 500 / 3700', () => {
    expect(m.contactCoverage).toBe(0.75);
    expect(m.disputedShare).toBe(0.135135135);
    expect(metricValue(GoalMetric.DISPUTED_SHARE, m)).toBe(0.135135135);
  });

  test('nothing settled, nobody fell overdue: no measurement (null); nothing outstanding: nothing disputed (0)', () => {
    const none = windowMetrics({ ...november, closing: 0n, closingOverdue: 0n }, '2026-11-01', '2026-11-30');
    expect(none).toMatchObject({ promiseKeptRate: null, contactCoverage: null, disputedShare: null });
    expect(metricValue(GoalMetric.DISPUTED_SHARE, none)).toBe(0);
    expect(defaultDirection(GoalMetric.PROMISE_KEPT_RATE)).toBe('AT_LEAST');
    expect(defaultDirection(GoalMetric.CONTACT_COVERAGE)).toBe('AT_LEAST');
    expect(defaultDirection(GoalMetric.DISPUTED_SHARE)).toBe('AT_MOST');
  });
});

describe('window metrics on the fixed ledger (November 2026)', () => {
  const m = windowMetrics(november, '2026-11-01', '2026-11-30');

  test('collection rate = collected / due = 3100 / 6000', () => {
    expect(m.collectionRate).toBe(0.516666666); // truncated to 9 decimals
  });

  test('on-time rate = collected by the effective due date / due = 2400 / 6000 (the weekend and the holiday roll the due date forward)', () => {
    expect(m.onTimeRate).toBe(0.4);
  });

  test('money applied in the window = opening + sales − write-offs − closing = 6700 + 400 − 0 − 3700 = 3400 (includes the 300 credit)', () => {
    expect(m.collectedInWindow).toBe(340000n);
  });

  test('DSO = closing / sales × days = 3700 / 400 × 30 = 277.5', () => {
    expect(windowDays('2026-11-01', '2026-11-30')).toBe(30);
    expect(m.dso).toBe(277.5);
  });

  test('CEI = (6700 + 400 − 0 − 3700) / (6700 + 400 − 0 − (3700 − 3600)) = 3400 / 7000', () => {
    expect(m.cei).toBe(0.485714285);
  });

  test('overdue ratio = 3600 / 3700', () => {
    expect(m.overdueAmount).toBe(360000n);
    expect(m.overdueRatio).toBe(0.972972972);
  });

  test('per salesperson: R5 stays with S1 although its customer moved to S2', () => {
    // S1: due R1+R2+R5 3900, collected 3100, on time 2400, no sales, opening 3900 + R7 300, closing R2 800 + R7 300 (overdue).
    const s1 = windowMetrics(
      {
        ...november,
        due: 390000n,
        dueCount: 3,
        collected: 310000n,
        collectedOnTime: 240000n,
        sales: 0n,
        opening: 420000n,
        closing: 110000n,
        closingOverdue: 110000n,
        closingOverdueCount: 2,
      },
      '2026-11-01',
      '2026-11-30',
    );
    expect(s1).toMatchObject({ collectionRate: 0.794871794, onTimeRate: 0.615384615, dso: null, cei: 0.738095238, collectedInWindow: 310000n });
    // S2: due R3+R4 2100, nothing collected (void), sales R6 400, opening 2100+250+150, closing 1500+600+100+250+150, overdue 2500.
    const s2 = windowMetrics(
      {
        ...november,
        due: 210000n,
        dueCount: 2,
        collected: 0n,
        collectedOnTime: 0n,
        sales: 40000n,
        opening: 250000n,
        closing: 260000n,
        closingOverdue: 250000n,
        closingOverdueCount: 4,
      },
      '2026-11-01',
      '2026-11-30',
    );
    expect(s2).toMatchObject({ collectionRate: 0, onTimeRate: 0, dso: 195, cei: 0.107142857, collectedInWindow: 30000n });
  });

  test('December: the write-off of R3 is not a collection (CEI 0, not 1500 / …)', () => {
    // Opening 3700, no sales, write-off 1500, closing 2200 of which 2100 overdue.
    expect(cei({ opening: 370000n, sales: 0n, writtenOff: 150000n, closing: 220000n, closingOverdue: 210000n })).toBe(0);
    // The textbook CEI without the write-off correction would have reported (3700 − 2200) / (3700 − 100) = 0.416666666.
    expect(ratio(370000n - 220000n, 370000n - 10000n)).toBe(0.416666666);
  });
});

describe('edge cases of the formulas', () => {
  test('undefined ratios are null, never NaN or Infinity', () => {
    expect(ratio(0n, 0n)).toBeNull();
    expect(dso(100n, 0n, 30)).toBeNull();
    expect(cei({ opening: 0n, sales: 0n, writtenOff: 0n, closing: 0n, closingOverdue: 0n })).toBeNull();
  });

  test('ratios of amounts beyond 2^53 cents stay exact to 9 decimals', () => {
    expect(ratio(9_999_999_999_999_998n, 9_999_999_999_999_999n)).toBe(0.999999999);
  });

  test('aging buckets: 0 is current, 30 | 31, 60 | 61, 90 | 91', () => {
    expect([-5, 0, 1, 30, 31, 60, 61, 90, 91].map(agingBucket)).toEqual([
      'current',
      'current',
      'd1to30',
      'd1to30',
      'd31to60',
      'd31to60',
      'd61to90',
      'd61to90',
      'over90',
    ]);
  });
});

describe('goals', () => {
  test('targets are exact fixed point; rates have at most 4 decimals, money 2', () => {
    expect(parseDecimal('0.95', 4)).toBe(950_000_000n);
    expect(parseDecimal('0.95123', 4)).toBeUndefined();
    expect(parseDecimal('-1', 4)).toBeUndefined();
    expect(parseDecimal('1e3', 4)).toBeUndefined();
    expect(numericFromNano(parseDecimal('100.5', 2)!)).toBe('100.5000');
    expect(nanoFromNumeric('0.9500')).toBe(950_000_000n);
    expect(formatDecimal(-1_500_000_000n, 2)).toBe('-1.50');
    expect(toNano(50000n, GoalMetric.OVERDUE_AMOUNT)).toBe(500_000_000_000n); // 500.00 currency units
  });

  test('default directions', () => {
    expect(defaultDirection(GoalMetric.COLLECTION_RATE)).toBe(GoalDirection.AT_LEAST);
    expect(defaultDirection(GoalMetric.CEI)).toBe(GoalDirection.AT_LEAST);
    expect(defaultDirection(GoalMetric.DSO)).toBe(GoalDirection.AT_MOST);
    expect(defaultDirection(GoalMetric.OVERDUE_AMOUNT)).toBe(GoalDirection.AT_MOST);
  });

  test('attainment: AT_LEAST actual/target, AT_MOST target/actual, capped at 1', () => {
    const t95 = 950_000_000n;
    expect(attainment(GoalDirection.AT_LEAST, 900_000_000n, t95)).toBe(0.947368421); // Bob: 0.9 of 0.95
    expect(attainment(GoalDirection.AT_LEAST, 1_000_000_000n, t95)).toBe(1);
    expect(attainment(GoalDirection.AT_LEAST, null, t95)).toBeNull();
    expect(attainment(GoalDirection.AT_MOST, 500n, 100n)).toBe(0.2); // overdue 500 against at most 100
    expect(attainment(GoalDirection.AT_MOST, 0n, 0n)).toBe(1);
    expect(attainment(GoalDirection.AT_MOST, 5n, 0n)).toBe(0);
    expect(attainment(GoalDirection.AT_LEAST, 0n, 0n)).toBe(1);
  });

  test('status: MET/MISSED once over, ON_TRACK/AT_RISK while running; nothing to measure is not a miss', () => {
    expect(goalStatus(1, true)).toBe('MET');
    expect(goalStatus(0.99, true)).toBe('MISSED');
    expect(goalStatus(1, false)).toBe('ON_TRACK');
    expect(goalStatus(0.5, false)).toBe('AT_RISK');
    expect(goalStatus(null, false)).toBe('ON_TRACK');
    expect(goalStatus(null, true)).toBe('MET');
  });

  test('metric values from window metrics: overdue ratio of an empty book is 0', () => {
    const empty = windowMetrics(
      { ...november, due: 0n, collected: 0n, collectedOnTime: 0n, opening: 0n, sales: 0n, closing: 0n, closingOverdue: 0n },
      '2026-11-01',
      '2026-11-30',
    );
    expect(metricValue(GoalMetric.OVERDUE_RATIO, empty)).toBe(0);
    expect(metricValue(GoalMetric.COLLECTION_RATE, empty)).toBeNull();
    expect(metricValue(GoalMetric.OVERDUE_AMOUNT, windowMetrics(november, '2026-11-01', '2026-11-30'))).toBe(360000n);
  });

  test('weighted score and competition ranking (three salespeople over November)', () => {
    // Alice: 1 (w3), 1 (w1). Bob: 0.947368421 (w3), 0 (w1). Carol: 0.526315789 (w3), 0.625 (w1), 0.2 (w1).
    const alice = weightedScore([
      { attainment: 1, weight: 3 },
      { attainment: 1, weight: 1 },
    ]);
    const bob = weightedScore([
      { attainment: 0.947368421, weight: 3 },
      { attainment: 0, weight: 1 },
    ]);
    const carol = weightedScore([
      { attainment: 0.526315789, weight: 3 },
      { attainment: 0.625, weight: 1 },
      { attainment: 0.2, weight: 1 },
    ]);
    expect([alice, bob, carol]).toEqual([1, 0.710526, 0.480789]);
    expect(
      weightedScore([
        { attainment: null, weight: 2 },
        { attainment: 0.5, weight: 1 },
      ]),
    ).toBe(0.5);
    expect(weightedScore([{ attainment: null, weight: 2 }])).toBeNull();
    const ranked = rankByScore([
      { name: 'Carol', score: carol },
      { name: 'Dan', score: null },
      { name: 'Alice', score: alice },
      { name: 'Bob', score: bob },
      { name: 'Eve', score: bob },
    ]);
    expect(ranked.map((r) => [r.name, r.rank])).toEqual([
      ['Alice', 1],
      ['Bob', 2],
      ['Eve', 2],
      ['Carol', 4],
      ['Dan', 5],
    ]);
  });
});

describe('weekly schedule', () => {
  test('WEEKLY_ANALYSIS_AT parses a weekday and a time, or off', () => {
    const problems: string[] = [];
    expect(parseWeeklySchedule(undefined, problems)).toEqual({ weekday: 1, minute: 0 });
    expect(parseWeeklySchedule('tue 09:30', problems)).toEqual({ weekday: 2, minute: 570 });
    expect(parseWeeklySchedule('off', problems)).toBeNull();
    expect(problems).toEqual([]);
    expect(parseWeeklySchedule('MONDAY 9', problems)).toBeNull();
    expect(parseWeeklySchedule('MON 24:00', problems)).toBeNull();
    expect(problems).toHaveLength(2);
  });

  test('the week due: the past Monday-to-Sunday week once its scheduled moment has passed', () => {
    expect(mondayOf('2027-01-03')).toBe('2026-12-28');
    expect(mondayOf('2027-01-04')).toBe('2027-01-04');
    const monday0 = { weekday: 1, minute: 0 };
    expect(dueWeekStart('2027-01-04', 0, monday0)).toBe('2026-12-28'); // Monday 00:00: last week is due
    expect(dueWeekStart('2027-01-10', 1439, monday0)).toBe('2026-12-28'); // all week long
    const tuesday9 = { weekday: 2, minute: 540 };
    expect(dueWeekStart('2027-01-05', 539, tuesday9)).toBe('2026-12-21'); // not yet: the week before is the latest due
    expect(dueWeekStart('2027-01-05', 540, tuesday9)).toBe('2026-12-28');
    expect(dueWeekStart('2027-01-04', 600, tuesday9)).toBe('2026-12-21');
  });
});

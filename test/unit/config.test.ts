import { ConfigError, loadConfig } from '../../server/config';

test('defaults need no variable at all', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    port: 4000,
    databaseUrl: undefined,
    timeZone: 'Asia/Shanghai',
    currency: 'CNY',
    bookingLagLimitDays: 3,
    graceWorkingDays: 0,
    paymentNoticeHoldDays: 3,
  });
  expect(config.dataDir.endsWith('.data')).toBe(true);
});

test('every wrong variable is named in one error', () => {
  let error: unknown;
  try {
    loadConfig({ PORT: 'abc', TIME_ZONE: 'Mars/Base', DATABASE_URL: 'mysql://x', ADMIN_EMAIL: 'a@b.c', BOOKING_LAG_LIMIT_DAYS: '-1' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.join('\n');
  expect(problems).toMatch(/PORT/);
  expect(problems).toMatch(/TIME_ZONE/);
  expect(problems).toMatch(/DATABASE_URL/);
  expect(problems).toMatch(/ADMIN_EMAIL and ADMIN_PASSWORD/);
  expect(problems).toMatch(/BOOKING_LAG_LIMIT_DAYS/);
  expect((error as ConfigError).problems).toHaveLength(5);
});

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
    activityBackdateDays: 7,
    promiseGraceWorkingDays: 1,
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

test('credit status rules: defaults, off, WARN not above HOLD', () => {
  expect(loadConfig({}).creditRules).toEqual({
    warnStage: 30,
    holdStage: 60,
    warnOverduePercent: 80,
    holdOverduePercent: 100,
    brokenPromiseDays: 30,
    warnBrokenPromises: 1,
    holdBrokenPromises: 2,
  });
  expect(loadConfig({ CREDIT_WARN_STAGE: 'off', CREDIT_HOLD_OVERDUE_PERCENT: '120', CREDIT_BROKEN_PROMISE_DAYS: '14' }).creditRules).toMatchObject({
    warnStage: null,
    holdStage: 60,
    holdOverduePercent: 120,
    brokenPromiseDays: 14,
  });
  expect(() => loadConfig({ CREDIT_WARN_STAGE: '90' })).toThrow(/CREDIT_WARN_STAGE \(90\) must not be above CREDIT_HOLD_STAGE \(60\)/);
  expect(() => loadConfig({ CREDIT_HOLD_BROKEN_PROMISES: 'two' })).toThrow(/CREDIT_HOLD_BROKEN_PROMISES must be a whole number from 1 to 1000, or off/);
  expect(() => loadConfig({ CREDIT_BROKEN_PROMISE_DAYS: 'off' })).toThrow(/CREDIT_BROKEN_PROMISE_DAYS/);
});

test('overdue settings: stages ascending, durations with units, CLOCK_DATE never in production', () => {
  expect(loadConfig({ OVERDUE_STAGES: '1, 15, 45', OVERDUE_SCAN_INTERVAL: '5m' })).toMatchObject({
    overdueStages: [1, 15, 45],
    overdueScanIntervalSeconds: 300,
  });
  expect(loadConfig({ OVERDUE_SCAN_INTERVAL: '0' }).overdueScanIntervalSeconds).toBe(0);
  expect(loadConfig({}).overdueScanIntervalSeconds).toBe(60);
  expect(() => loadConfig({ OVERDUE_STAGES: '30,1' })).toThrow(/OVERDUE_STAGES/);
  expect(() => loadConfig({ OVERDUE_STAGES: '0,30' })).toThrow(/OVERDUE_STAGES/);
  expect(() => loadConfig({ OVERDUE_SCAN_INTERVAL: 'often' })).toThrow(/OVERDUE_SCAN_INTERVAL/);
  expect(loadConfig({ CLOCK_DATE: '2027-01-04' }).clockDate).toBe('2027-01-04');
  expect(() => loadConfig({ CLOCK_DATE: '2027-01-04', NODE_ENV: 'production' })).toThrow(/CLOCK_DATE is not allowed in production/);
  expect(() => loadConfig({ CLOCK_DATE: '4 Jan' })).toThrow(/CLOCK_DATE/);
});

test('SHUTDOWN_TIMEOUT_SECONDS: 10 by default, at least 1', () => {
  expect(loadConfig({}).shutdownTimeoutSeconds).toBe(10);
  expect(loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: '30' }).shutdownTimeoutSeconds).toBe(30);
  expect(() => loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS must be a whole number from 1 to 600/);
  expect(() => loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: '2.5' })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS/);
});

test('sign-in settings: TOKEN_TTL with units, throttle limits, trusted proxies and ADMIN_PASSWORD by the password policy', () => {
  expect(loadConfig({})).toMatchObject({
    tokenTtlSeconds: 12 * 3600,
    loginMaxFailuresPerEmail: 5,
    loginMaxFailuresPerAddress: 50,
    loginThrottleWindowSeconds: 15 * 60,
    trustProxyHops: 0,
  });
  expect(loadConfig({ TOKEN_TTL_HOURS: '2' }).tokenTtlSeconds).toBe(7200);
  expect(loadConfig({ TOKEN_TTL: '90s' }).tokenTtlSeconds).toBe(90);
  expect(loadConfig({ TOKEN_TTL: '30m' }).tokenTtlSeconds).toBe(1800);
  expect(() => loadConfig({ TOKEN_TTL: '90s', TOKEN_TTL_HOURS: '1' })).toThrow(/TOKEN_TTL or TOKEN_TTL_HOURS, not both/);
  expect(() => loadConfig({ TOKEN_TTL: '60s', NODE_ENV: 'production' })).toThrow(/TOKEN_TTL must be at least 5m in production/);
  expect(() => loadConfig({ TOKEN_TTL: 'soon' })).toThrow(/TOKEN_TTL must be a duration/);
  expect(
    loadConfig({ LOGIN_THROTTLE_WINDOW: '1h', LOGIN_MAX_FAILURES_PER_EMAIL: '10', LOGIN_MAX_FAILURES_PER_ADDRESS: '500', TRUST_PROXY: '2' }),
  ).toMatchObject({
    loginThrottleWindowSeconds: 3600,
    loginMaxFailuresPerEmail: 10,
    loginMaxFailuresPerAddress: 500,
    trustProxyHops: 2,
  });
  expect(() => loadConfig({ LOGIN_MAX_FAILURES_PER_EMAIL: '0' })).toThrow(/LOGIN_MAX_FAILURES_PER_EMAIL/);
  expect(() => loadConfig({ LOGIN_THROTTLE_WINDOW: '2d' })).toThrow(/LOGIN_THROTTLE_WINDOW/);
  expect(() => loadConfig({ ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'Short-1' })).toThrow(/ADMIN_PASSWORD: password must have at least 12 characters/);
  expect(() => loadConfig({ ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'password1234' })).toThrow(/ADMIN_PASSWORD: password is too easy to guess/);
  expect(loadConfig({ ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'Admin-Quartz-Lantern-42' }).adminPassword).toBe('Admin-Quartz-Lantern-42');
});

test('limits: defaults, durations with units, cost budgets per role, production defaults for introspection and playground', () => {
  const config = loadConfig({});
  expect(config.limits).toMatchObject({
    maxTokens: 5000,
    maxDepth: 10,
    maxAliases: 30,
    maxDirectives: 20,
    responseMaxBytes: 10 * 1024 * 1024,
    operationTimeoutMs: 20_000,
    concurrentPerUser: 4,
    concurrentPerIp: 8,
    queuedPerCaller: 64,
  });
  expect(config.limits.costBudgets).toMatchObject({ ANONYMOUS: 100, SALES: 50_000, ADMIN: 100_000 });
  expect(config).toMatchObject({ introspection: 'all', playground: true, dbPoolMax: 10, dbAcquireTimeoutMs: 5000, dbStatementTimeoutMs: 15_000 });
  expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ introspection: 'authenticated', playground: false });

  const tuned = loadConfig({
    OPERATION_TIMEOUT: '500ms',
    DB_STATEMENT_TIMEOUT: '2m',
    DB_ACQUIRE_TIMEOUT: '3',
    QUERY_COST_BUDGETS: 'ANONYMOUS=50, ADMIN=200000',
  });
  expect(tuned.limits.operationTimeoutMs).toBe(500);
  expect(tuned.dbStatementTimeoutMs).toBe(120_000);
  expect(tuned.dbAcquireTimeoutMs).toBe(3000);
  expect(tuned.limits.costBudgets).toMatchObject({ ANONYMOUS: 50, SALES: 50_000, ADMIN: 200_000 });

  let error: unknown;
  try {
    loadConfig({ OPERATION_TIMEOUT: 'soon', QUERY_COST_BUDGETS: 'GUEST=5', INTROSPECTION: 'sometimes', METRICS_TOKEN: 'short', QUERY_MAX_DEPTH: '1' });
  } catch (e) {
    error = e;
  }
  const problems = (error as ConfigError).problems.join('\n');
  expect(problems).toMatch(/OPERATION_TIMEOUT must be a duration/);
  expect(problems).toMatch(/QUERY_COST_BUDGETS must be ROLE=number pairs/);
  expect(problems).toMatch(/INTROSPECTION must be one of all, authenticated, off/);
  expect(problems).toMatch(/METRICS_TOKEN must have at least 16 characters/);
  expect(problems).toMatch(/QUERY_MAX_DEPTH/);
  expect((error as ConfigError).problems).toHaveLength(5);
});

test('server tuning: WebSocket keep-alive and the embedded PostgreSQL page cache, with units', () => {
  expect(loadConfig({})).toMatchObject({ wsKeepAliveSeconds: 12, embeddedPgSharedBuffers: '128MB' });
  expect(loadConfig({ WS_KEEPALIVE: '1m', EMBEDDED_PG_SHARED_BUFFERS: '1GB' })).toMatchObject({ wsKeepAliveSeconds: 60, embeddedPgSharedBuffers: '1GB' });
  expect(() => loadConfig({ WS_KEEPALIVE: '0' })).toThrow(/WS_KEEPALIVE/);
  expect(() => loadConfig({ EMBEDDED_PG_SHARED_BUFFERS: 'lots' })).toThrow(/EMBEDDED_PG_SHARED_BUFFERS/);
  expect(() => loadConfig({ EMBEDDED_PG_SHARED_BUFFERS: '1TB' })).toThrow(/EMBEDDED_PG_SHARED_BUFFERS/);
});

test('delivery settings: DELIVERY_CONCURRENCY, webhook retries and overlap with units, private addresses and http off by default', () => {
  expect(loadConfig({})).toMatchObject({
    deliveryConcurrency: 4,
    webhooks: {
      retryForMs: 24 * 3_600_000,
      retryBaseMs: 30_000,
      deadDeliveriesToDisable: 5,
      secretOverlapSeconds: 24 * 3600,
      allowPrivate: false,
      allowHttp: false,
      timeoutMs: 10_000,
    },
  });
  expect(
    loadConfig({
      DELIVERY_CONCURRENCY: '16',
      WEBHOOK_RETRY_FOR: '3s',
      WEBHOOK_RETRY_BASE: '100ms',
      WEBHOOK_SECRET_OVERLAP: '2h',
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_ALLOW_HTTP: 'yes',
    }),
  ).toMatchObject({
    deliveryConcurrency: 16,
    webhooks: { retryForMs: 3000, retryBaseMs: 100, secretOverlapSeconds: 7200, allowPrivate: true, allowHttp: true },
  });
  for (const [name, value] of [
    ['DELIVERY_CONCURRENCY', '0'],
    ['DELIVERY_CONCURRENCY', '101'],
    ['WEBHOOK_RETRY_FOR', '8d'],
    ['WEBHOOK_RETRY_FOR', '200h'],
    ['WEBHOOK_DISABLE_AFTER_DEAD', '0'],
    ['WEBHOOK_TIMEOUT', '2m'],
    ['WEBHOOK_ALLOW_PRIVATE', 'maybe'],
  ]) {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  }
});

test('notification e-mail: no SMTP_URL by default (no e-mail sent), an smtp(s):// URL, a sender address', () => {
  expect(loadConfig({})).toMatchObject({ smtpUrl: undefined, mailFrom: 'huikuan <noreply@localhost>' });
  expect(loadConfig({ SMTP_URL: 'smtps://user:pw@mail.example.com:465', MAIL_FROM: 'alarms@example.com' })).toMatchObject({
    smtpUrl: 'smtps://user:pw@mail.example.com:465',
    mailFrom: 'alarms@example.com',
  });
  expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
  expect(() => loadConfig({ MAIL_FROM: 'not an address' })).toThrow(/MAIL_FROM/);
  expect(loadConfig({}).lateBookingNotifyAmount).toBe(1_000_000n);
  expect(loadConfig({ LATE_BOOKING_NOTIFY_AMOUNT: '500.50' }).lateBookingNotifyAmount).toBe(50_050n);
  expect(() => loadConfig({ LATE_BOOKING_NOTIFY_AMOUNT: '1e5' })).toThrow(/LATE_BOOKING_NOTIFY_AMOUNT/);
});

test('DIGEST_AT: 08:30 company time by default, HH:MM or off', () => {
  expect(loadConfig({}).digestAt).toBe(8 * 60 + 30);
  expect(loadConfig({ DIGEST_AT: '07:05' }).digestAt).toBe(7 * 60 + 5);
  expect(loadConfig({ DIGEST_AT: 'off' }).digestAt).toBeNull();
  expect(() => loadConfig({ DIGEST_AT: '8:30' })).toThrow(/DIGEST_AT must be a time of day like "08:30"/);
  expect(() => loadConfig({ DIGEST_AT: '24:00' })).toThrow(/DIGEST_AT/);
  expect(() => loadConfig({ DIGEST_AT: 'morning' })).toThrow(/DIGEST_AT/);
});

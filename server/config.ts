/**
 * Configuration: the process environment turned into one typed, validated object.
 * This is the only module that reads `process.env`; it fails fast at boot with one
 * clear message per wrong variable. Every variable is documented in README.md and
 * `.env.example`.
 */
import path from 'node:path';
import { passwordProblem } from './core/password-policy';
import { parseWeeklySchedule, type WeeklySchedule } from './core/weekly-schedule';
import { parseDailyTime } from './core/daily-schedule';
import type { Role } from './core/auth';
import { isLocalDate, MAX_LOCAL_DATE, MIN_LOCAL_DATE } from './core/local-date';
import { type Cents, centsFromNumeric, isMoneyText } from './core/money';

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  nodeEnv: NodeEnv;
  port: number;
  /** External PostgreSQL; when undefined an embedded server is started under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  /** The embedded PostgreSQL's shared_buffers (its page cache), e.g. `128MB`, `1GB`. */
  embeddedPgSharedBuffers: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  demoData: boolean;
  /** HS256 secret for user tokens; when undefined one is generated once and kept in the database. */
  tokenSecret: string | undefined;
  /** Lifetime of user tokens (TOKEN_TTL, or TOKEN_TTL_HOURS). */
  tokenTtlSeconds: number;
  /** Failed sign-ins per e-mail address, and per client address, within loginThrottleWindowSeconds. */
  loginMaxFailuresPerEmail: number;
  loginMaxFailuresPerAddress: number;
  loginThrottleWindowSeconds: number;
  /** Reverse proxies in front of the server whose X-Forwarded-For is trusted (0: none). */
  trustProxyHops: number;
  /** Seconds a token's principal is remembered in-process (0: every request reads it). */
  principalCacheSeconds: number;
  timeZone: string;
  currency: string;
  bookingLagLimitDays: number;
  graceWorkingDays: number;
  paymentNoticeHoldDays: number;
  /** How many days back a collection activity's occurredAt may lie (phones log offline and sync later). */
  activityBackdateDays: number;
  /** Working days after a promise's (rolled) date before an unkept promise counts as broken. */
  promiseGraceWorkingDays: number;
  logSql: boolean;
  logLevel: LogLevel;
  /** Days past the effective due date at which each overdue stage starts, ascending. */
  overdueStages: number[];
  /** The rules that derive a customer's credit status (docs/metrics.md, "Credit status"). */
  creditRules: CreditRules;
  /** Working days after the business date whose due money puts a customer on the worklist (0: overdue and due on the date itself). */
  worklistLookaheadDays: number;
  /** Working days after falling overdue within which a customer must be contacted (contact coverage). */
  contactSlaWorkingDays: number;
  /** Seconds between scheduled overdue scans; 0 disables them. */
  overdueScanIntervalSeconds: number;
  /** graphql-ws keep-alive: a ping this often; a socket that has not answered by the next one is closed. */
  wsKeepAliveSeconds: number;
  /** Pretend today is this date (demos, training, tests); never in production. */
  clockDate: string | undefined;
  /** When the weekly analysis of the past week is stored (WEEKLY_ANALYSIS_AT); null: never by schedule. */
  weeklyAnalysisAt: WeeklySchedule | null;
  /** How long SIGINT/SIGTERM may take in total before the process exits anyway. */
  shutdownTimeoutSeconds: number;
  /** Bounds on one operation and on one caller (README, "Limits"). */
  limits: LimitsConfig;
  /** Who may run introspection queries: everyone, signed-in callers only, or nobody. */
  introspection: IntrospectionPolicy;
  /** Whether GET /graphql serves the playground page. */
  playground: boolean;
  /** Bearer token GET /metrics requires; in production /metrics is refused without one. */
  metricsToken: string | undefined;
  /** Database connections for requests, and how long a request waits for one. */
  dbPoolMax: number;
  dbAcquireTimeoutMs: number;
  /** PostgreSQL statement_timeout of request work (background scans are not bounded by it). */
  dbStatementTimeoutMs: number;
  /** Jobs of the job queue (webhook deliveries) one process runs at once. */
  deliveryConcurrency: number;
  /** Signed webhooks to integrators (README, "Webhooks"). */
  webhooks: WebhookConfig;
  /** E-mail of notifications: the SMTP server (none: no e-mail is sent) and the sender. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** A payment booked past BOOKING_LAG_LIMIT_DAYS of at least this much is told to FINANCE. */
  lateBookingNotifyAmount: Cents;
  /** When the daily digest goes out (DIGEST_AT), minutes after midnight in TIME_ZONE; null: only by sendDailyDigests. */
  digestAt: number | null;
}

export interface WebhookConfig {
  /** How long a delivery is retried after its first attempt before it is marked dead. */
  retryForMs: number;
  /** The first retry's delay; each next one doubles (with jitter), up to an hour. */
  retryBaseMs: number;
  /** Consecutive dead deliveries after which an endpoint is disabled. */
  deadDeliveriesToDisable: number;
  /** How long a rotated-out secret still signs deliveries (unless rotateWebhookSecret says otherwise). */
  secretOverlapSeconds: number;
  /** Deliveries to loopback, private, link-local and metadata addresses (tests, local receivers). */
  allowPrivate: boolean;
  /** http:// endpoints in production. */
  allowHttp: boolean;
  /** One delivery's deadline: connect, send, answer. */
  timeoutMs: number;
}

/**
 * Thresholds of the credit status rules; null: the rule is off (`off` in the environment).
 * A rule calls for WARN or HOLD; the customer's derived status is the most severe call.
 */
export interface CreditRules {
  /** Highest overdue stage (days past effective due where it starts) the customer's receivables hold. */
  warnStage: number | null;
  holdStage: number | null;
  /** Overdue money (> 0) as a percentage of the credit limit. */
  warnOverduePercent: number | null;
  holdOverduePercent: number | null;
  /** Promises to pay broken within the last this many days (the evaluation date included). */
  brokenPromiseDays: number;
  warnBrokenPromises: number | null;
  holdBrokenPromises: number | null;
}

export type IntrospectionPolicy = 'all' | 'authenticated' | 'off';

/** `ANONYMOUS` is a caller without a valid token. */
export type CostBudgetRole = Role | 'ANONYMOUS';

export interface LimitsConfig {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  costBudgets: Record<CostBudgetRole, number>;
  responseMaxBytes: number;
  operationTimeoutMs: number;
  concurrentPerUser: number;
  concurrentPerIp: number;
  /** Operations of one caller that may wait for a running slot before the next is refused. */
  queuedPerCaller: number;
}

/** Cost budgets per role; QUERY_COST_BUDGETS overrides the roles it names. */
export const DEFAULT_COST_BUDGETS: Record<CostBudgetRole, number> = {
  ANONYMOUS: 100,
  SALES: 50_000,
  FINANCE: 50_000,
  MANAGER: 50_000,
  PROJECT_LEAD: 50_000,
  INTEGRATION: 50_000,
  ADMIN: 100_000,
};

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const bool = (name: string): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return false;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be 1/true/yes or 0/false/no (got "${raw}")`);
    return false;
  };
  const str = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  /** `90s`, `15m`, `12h` (a bare number is seconds) → seconds; undefined when unset. */
  const duration = (name: string, minSeconds: number, maxSeconds: number): number | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    const m = /^(\d+)(s|m|h)?$/.exec(raw);
    const seconds = m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
    if (!(seconds >= minSeconds && seconds <= maxSeconds)) {
      problems.push(`${name} must be a duration like 90s, 15m or 12h, from ${minSeconds}s to ${maxSeconds / 3600}h (got "${raw}")`);
      return undefined;
    }
    return seconds;
  };
  /** `500ms`, `15s`, `2m`, `24h` (a bare number is seconds), in milliseconds. */
  const durationMs = (name: string, fallbackMs: number, minMs: number, maxMs: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallbackMs;
    const match = /^(\d+)(ms|s|m|h)?$/.exec(raw);
    const ms = match ? Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'] : NaN;
    if (!(ms >= minMs && ms <= maxMs)) {
      problems.push(`${name} must be a duration like 500ms, 15s or 2m, from ${minMs}ms to ${maxMs / 1000}s (got "${raw}")`);
      return fallbackMs;
    }
    return ms;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };

  const nodeEnvRaw = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    problems.push(`NODE_ENV must be development, production or test (got "${nodeEnvRaw}")`);
  }

  const databaseUrl = str('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const timeZone = str('TIME_ZONE') ?? 'Asia/Shanghai';
  if (!isValidTimeZone(timeZone)) problems.push(`TIME_ZONE "${timeZone}" is not an IANA time zone`);

  const currency = str('CURRENCY') ?? 'CNY';
  if (!/^[A-Z]{3}$/.test(currency)) problems.push(`CURRENCY must be a 3-letter ISO code (got "${currency}")`);

  const adminEmail = str('ADMIN_EMAIL');
  const adminPassword = str('ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (adminPassword !== undefined) {
    const problem = passwordProblem(adminPassword, adminEmail ? [adminEmail] : []);
    if (problem) problems.push(`ADMIN_PASSWORD: ${problem.message}`);
  }

  const tokenSecret = str('TOKEN_SECRET');
  if (tokenSecret !== undefined && tokenSecret.length < 32) {
    problems.push('TOKEN_SECRET must have at least 32 characters');
  }

  // TOKEN_TTL takes seconds and minutes for demos and tests of expiry; production keeps 5 minutes or more.
  if (str('TOKEN_TTL') !== undefined && str('TOKEN_TTL_HOURS') !== undefined) problems.push('Set TOKEN_TTL or TOKEN_TTL_HOURS, not both');
  const tokenTtlSeconds = duration('TOKEN_TTL', 1, 90 * 24 * 3600) ?? int('TOKEN_TTL_HOURS', 12, 1, 24 * 90) * 3600;
  if (nodeEnvRaw === 'production' && tokenTtlSeconds < 300) problems.push('TOKEN_TTL must be at least 5m in production');

  const logLevel = (str('LOG_LEVEL') ?? (nodeEnvRaw === 'test' ? 'silent' : 'info')) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const stagesRaw = str('OVERDUE_STAGES') ?? '1,30,60,90';
  const overdueStages = stagesRaw.split(',').map((s) => Number(s.trim()));
  if (
    overdueStages.length === 0 ||
    overdueStages.some((s) => !Number.isInteger(s) || s < 1 || s > 3650) ||
    overdueStages.some((s, i) => i > 0 && s <= overdueStages[i - 1])
  ) {
    problems.push(`OVERDUE_STAGES must be ascending whole numbers of days ≥ 1, e.g. "1,30,60,90" (got "${stagesRaw}")`);
  }

  const intervalRaw = str('OVERDUE_SCAN_INTERVAL') ?? '60s';
  const interval = /^(\d+)(s|m|h)?$/.exec(intervalRaw);
  const overdueScanIntervalSeconds = interval ? Number(interval[1]) * { s: 1, m: 60, h: 3600 }[(interval[2] ?? 's') as 's' | 'm' | 'h'] : 60;
  if (!interval) problems.push(`OVERDUE_SCAN_INTERVAL must be a duration like 60s, 5m or 1h, or 0 to disable (got "${intervalRaw}")`);

  /** A whole number, or `off` (null). */
  const intOrOff = (name: string, fallback: number, min: number, max: number): number | null => {
    if (str(name)?.toLowerCase() === 'off') return null;
    const raw = env[name];
    if (raw !== undefined && raw !== '' && !/^\d+$/.test(raw)) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, or off (got "${raw}")`);
      return fallback;
    }
    return int(name, fallback, min, max);
  };
  const creditRules: CreditRules = {
    warnStage: intOrOff('CREDIT_WARN_STAGE', 30, 1, 3650),
    holdStage: intOrOff('CREDIT_HOLD_STAGE', 60, 1, 3650),
    warnOverduePercent: intOrOff('CREDIT_WARN_OVERDUE_PERCENT', 80, 0, 10_000),
    holdOverduePercent: intOrOff('CREDIT_HOLD_OVERDUE_PERCENT', 100, 0, 10_000),
    brokenPromiseDays: int('CREDIT_BROKEN_PROMISE_DAYS', 30, 1, 3650),
    warnBrokenPromises: intOrOff('CREDIT_WARN_BROKEN_PROMISES', 1, 1, 1000),
    holdBrokenPromises: intOrOff('CREDIT_HOLD_BROKEN_PROMISES', 2, 1, 1000),
  };
  for (const [warn, hold, what] of [
    [creditRules.warnStage, creditRules.holdStage, 'STAGE'],
    [creditRules.warnOverduePercent, creditRules.holdOverduePercent, 'OVERDUE_PERCENT'],
    [creditRules.warnBrokenPromises, creditRules.holdBrokenPromises, 'BROKEN_PROMISES'],
  ] as const) {
    if (warn !== null && hold !== null && warn > hold) problems.push(`CREDIT_WARN_${what} (${warn}) must not be above CREDIT_HOLD_${what} (${hold})`);
  }

  const clockDate = str('CLOCK_DATE');
  if (clockDate !== undefined) {
    if (!isLocalDate(clockDate)) {
      problems.push(`CLOCK_DATE must be a date YYYY-MM-DD from ${MIN_LOCAL_DATE} to ${MAX_LOCAL_DATE} (got "${env.CLOCK_DATE}")`);
    }
    if (nodeEnvRaw === 'production') problems.push('CLOCK_DATE is not allowed in production');
  }

  const production = nodeEnvRaw === 'production';
  const costBudgets = { ...DEFAULT_COST_BUDGETS };
  const budgetsRaw = str('QUERY_COST_BUDGETS');
  if (budgetsRaw !== undefined) {
    for (const entry of budgetsRaw.split(',')) {
      const match = /^\s*([A-Z_]+)\s*=\s*(\d+)\s*$/.exec(entry);
      if (!match || !(match[1] in costBudgets) || Number(match[2]) < 1) {
        problems.push(
          `QUERY_COST_BUDGETS must be ROLE=number pairs, e.g. "ANONYMOUS=100,ADMIN=100000", roles ${Object.keys(costBudgets).join(', ')} (got "${entry.trim()}")`,
        );
        continue;
      }
      costBudgets[match[1] as CostBudgetRole] = Number(match[2]);
    }
  }
  const embeddedPgSharedBuffers = str('EMBEDDED_PG_SHARED_BUFFERS') ?? '128MB';
  if (!/^[1-9][0-9]*(kB|MB|GB)$/.test(embeddedPgSharedBuffers)) {
    problems.push(`EMBEDDED_PG_SHARED_BUFFERS must be an amount of memory such as "128MB" or "1GB" (got "${embeddedPgSharedBuffers}")`);
  }
  const dbStatementTimeoutMs = durationMs('DB_STATEMENT_TIMEOUT', 15_000, 100, 3_600_000);
  const operationTimeoutMs = durationMs('OPERATION_TIMEOUT', 20_000, 100, 3_600_000);
  const smtpUrl = str('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]/.test(smtpUrl)) problems.push('SMTP_URL must be an smtp:// or smtps:// URL');
  const mailFrom = str('MAIL_FROM') ?? 'huikuan <noreply@localhost>';
  if (!/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(mailFrom))
    problems.push(`MAIL_FROM must be an address, e.g. "huikuan <noreply@example.com>" (got "${mailFrom}")`);
  const lateBookingRaw = str('LATE_BOOKING_NOTIFY_AMOUNT') ?? '10000.00';
  if (!isMoneyText(lateBookingRaw)) problems.push(`LATE_BOOKING_NOTIFY_AMOUNT must be an amount like "10000.00" (got "${lateBookingRaw}")`);
  const lateBookingNotifyAmount = isMoneyText(lateBookingRaw) ? centsFromNumeric(lateBookingRaw) : 0n;
  const metricsToken = str('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push('METRICS_TOKEN must have at least 16 characters');

  const config: Config = {
    nodeEnv: nodeEnvRaw as NodeEnv,
    port: int('PORT', 4000, 0, 65535),
    databaseUrl,
    dataDir: path.resolve(str('DATA_DIR') ?? '.data'),
    embeddedPgPort: int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    embeddedPgSharedBuffers,
    adminEmail,
    adminPassword,
    demoData: bool('DEMO_DATA'),
    tokenSecret,
    tokenTtlSeconds,
    loginMaxFailuresPerEmail: int('LOGIN_MAX_FAILURES_PER_EMAIL', 5, 1, 1000),
    loginMaxFailuresPerAddress: int('LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1, 1_000_000),
    loginThrottleWindowSeconds: duration('LOGIN_THROTTLE_WINDOW', 1, 24 * 3600) ?? 15 * 60,
    trustProxyHops: int('TRUST_PROXY', 0, 0, 10),
    principalCacheSeconds: int('PRINCIPAL_CACHE_SECONDS', 5, 0, 60),
    timeZone,
    currency,
    bookingLagLimitDays: int('BOOKING_LAG_LIMIT_DAYS', 3, 0, 365),
    graceWorkingDays: int('GRACE_WORKING_DAYS', 0, 0, 365),
    paymentNoticeHoldDays: int('PAYMENT_NOTICE_HOLD_DAYS', 3, 0, 365),
    activityBackdateDays: int('ACTIVITY_BACKDATE_DAYS', 7, 0, 365),
    promiseGraceWorkingDays: int('PROMISE_GRACE_WORKING_DAYS', 1, 0, 60),
    logSql: bool('LOG_SQL'),
    logLevel,
    overdueStages,
    creditRules,
    worklistLookaheadDays: int('WORKLIST_LOOKAHEAD_DAYS', 3, 0, 60),
    contactSlaWorkingDays: int('CONTACT_SLA_WORKING_DAYS', 2, 0, 60),
    overdueScanIntervalSeconds,
    wsKeepAliveSeconds: duration('WS_KEEPALIVE', 1, 3600) ?? 12,
    clockDate,
    weeklyAnalysisAt: parseWeeklySchedule(str('WEEKLY_ANALYSIS_AT'), problems),
    shutdownTimeoutSeconds: int('SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600),
    limits: {
      maxTokens: int('QUERY_MAX_TOKENS', 5000, 100, 1_000_000),
      maxDepth: int('QUERY_MAX_DEPTH', 10, 2, 100),
      maxAliases: int('QUERY_MAX_ALIASES', 30, 0, 10_000),
      maxDirectives: int('QUERY_MAX_DIRECTIVES', 20, 0, 10_000),
      costBudgets,
      responseMaxBytes: int('RESPONSE_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      operationTimeoutMs,
      concurrentPerUser: int('CONCURRENT_OPERATIONS_PER_USER', 4, 1, 1000),
      concurrentPerIp: int('CONCURRENT_OPERATIONS_PER_IP', 8, 1, 1000),
      queuedPerCaller: int('QUEUED_OPERATIONS_PER_CALLER', 64, 0, 10_000),
    },
    introspection: oneOf('INTROSPECTION', ['all', 'authenticated', 'off'] as const, production ? 'authenticated' : 'all'),
    playground: oneOf('PLAYGROUND', ['on', 'off'] as const, production ? 'off' : 'on') === 'on',
    metricsToken,
    dbPoolMax: int('DB_POOL_MAX', 10, 1, 1000),
    dbAcquireTimeoutMs: durationMs('DB_ACQUIRE_TIMEOUT', 5_000, 100, 600_000),
    dbStatementTimeoutMs,
    deliveryConcurrency: int('DELIVERY_CONCURRENCY', 4, 1, 100),
    webhooks: {
      retryForMs: durationMs('WEBHOOK_RETRY_FOR', 24 * 3_600_000, 100, 7 * 24 * 3_600_000),
      retryBaseMs: durationMs('WEBHOOK_RETRY_BASE', 30_000, 10, 3_600_000),
      deadDeliveriesToDisable: int('WEBHOOK_DISABLE_AFTER_DEAD', 5, 1, 10_000),
      secretOverlapSeconds: Math.round(durationMs('WEBHOOK_SECRET_OVERLAP', 24 * 3_600_000, 0, 7 * 24 * 3_600_000) / 1000),
      allowPrivate: bool('WEBHOOK_ALLOW_PRIVATE'),
      allowHttp: bool('WEBHOOK_ALLOW_HTTP'),
      timeoutMs: durationMs('WEBHOOK_TIMEOUT', 10_000, 100, 60_000),
    },
    smtpUrl,
    mailFrom,
    lateBookingNotifyAmount,
    digestAt: parseDailyTime('DIGEST_AT', str('DIGEST_AT'), '08:30', problems),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Configuration: the process environment turned into one typed, validated object.
 * This is the only module that reads `process.env`; it fails fast at boot with one
 * clear message per wrong variable. Every variable is documented in README.md and
 * `.env.example`.
 */
import path from 'node:path';
import { isLocalDate, MAX_LOCAL_DATE, MIN_LOCAL_DATE } from './core/local-date';
import { parseWeeklySchedule, type WeeklySchedule } from './modules/analytics/weekly-schedule';

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  nodeEnv: NodeEnv;
  port: number;
  /** External PostgreSQL; when undefined an embedded server is started under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  demoData: boolean;
  /** HMAC secret for user tokens; when undefined one is generated once and kept in the database. */
  tokenSecret: string | undefined;
  tokenTtlHours: number;
  timeZone: string;
  currency: string;
  bookingLagLimitDays: number;
  graceWorkingDays: number;
  paymentNoticeHoldDays: number;
  logSql: boolean;
  logLevel: LogLevel;
  /** Days past the effective due date at which each overdue stage starts, ascending. */
  overdueStages: number[];
  /** Seconds between scheduled overdue scans; 0 disables them. */
  overdueScanIntervalSeconds: number;
  /** Pretend today is this date (demos, training, tests); never in production. */
  clockDate: string | undefined;
  /** When the weekly analysis of the past week is stored (WEEKLY_ANALYSIS_AT); null: never by schedule. */
  weeklyAnalysisAt: WeeklySchedule | null;
}

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
  if (adminPassword !== undefined && adminPassword.length < 8) {
    problems.push('ADMIN_PASSWORD must have at least 8 characters');
  }

  const tokenSecret = str('TOKEN_SECRET');
  if (tokenSecret !== undefined && tokenSecret.length < 32) {
    problems.push('TOKEN_SECRET must have at least 32 characters');
  }

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

  const clockDate = str('CLOCK_DATE');
  if (clockDate !== undefined) {
    if (!isLocalDate(clockDate)) {
      problems.push(`CLOCK_DATE must be a date YYYY-MM-DD from ${MIN_LOCAL_DATE} to ${MAX_LOCAL_DATE} (got "${clockDate}")`);
    }
    if (nodeEnvRaw === 'production') problems.push('CLOCK_DATE is not allowed in production');
  }

  const config: Config = {
    nodeEnv: nodeEnvRaw as NodeEnv,
    port: int('PORT', 4000, 0, 65535),
    databaseUrl,
    dataDir: path.resolve(str('DATA_DIR') ?? '.data'),
    embeddedPgPort: int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    adminEmail,
    adminPassword,
    demoData: bool('DEMO_DATA'),
    tokenSecret,
    tokenTtlHours: int('TOKEN_TTL_HOURS', 12, 1, 24 * 90),
    timeZone,
    currency,
    bookingLagLimitDays: int('BOOKING_LAG_LIMIT_DAYS', 3, 0, 365),
    graceWorkingDays: int('GRACE_WORKING_DAYS', 0, 0, 365),
    paymentNoticeHoldDays: int('PAYMENT_NOTICE_HOLD_DAYS', 3, 0, 365),
    logSql: bool('LOG_SQL'),
    logLevel,
    overdueStages,
    overdueScanIntervalSeconds,
    clockDate,
    weeklyAnalysisAt: parseWeeklySchedule(str('WEEKLY_ANALYSIS_AT'), problems),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * A time of day in the company time zone (DIGEST_AT): parsing, and the next instant the
 * wall clock of that zone shows it. Pure (read by config.ts and the notifications area).
 */

/** `HH:MM` (00:00–23:59) → minutes after midnight, `off` → null; pushes a message to `problems` when malformed. */
export function parseDailyTime(name: string, raw: string | undefined, fallback: string, problems: string[]): number | null {
  const text = (raw ?? fallback).trim().toLowerCase();
  if (text === 'off') return null;
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    problems.push(`${name} must be a time of day like "08:30" (company time zone), or "off" (got "${raw}")`);
    return null;
  }
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The zone's offset from UTC at `instant`, in milliseconds (Asia/Shanghai: +8 h). */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant the zone's wall clock shows `minute` on the calendar day (y, m, d); in a DST gap, the same offset as before it. */
function instantOf(year: number, month: number, day: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, Math.floor(minute / 60), minute % 60);
  const first = wall - offsetMs(wall, timeZone);
  return wall - offsetMs(first, timeZone);
}

/** The first instant after `after` at which the wall clock of `timeZone` shows `minute` (minutes after midnight). */
export function nextDailyInstant(after: Date, minute: number, timeZone: string): Date {
  const local = new Date(after.getTime() + offsetMs(after.getTime(), timeZone));
  for (let days = 0; days < 3; days++) {
    const at = instantOf(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate() + days, minute, timeZone);
    if (at > after.getTime()) return new Date(at);
  }
  throw new Error('unreachable: a day has the time');
}

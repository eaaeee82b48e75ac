/**
 * Which day it is for the company: the server puts its business date and the company's
 * time zone in the page (server/console.ts), read here once when the page loads. A page
 * without them (opened from a file) falls back to the browser's calendar.
 */
import { type BusinessCalendar, businessToday } from './format';

function meta(name: string): string | null {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || null;
}

function browserDate(instant: Date): string {
  return `${instant.getFullYear()}-${String(instant.getMonth() + 1).padStart(2, '0')}-${String(instant.getDate()).padStart(2, '0')}`;
}

const loadedAt = new Date();
const serverToday = meta('huikuan-today');
const timeZone = meta('huikuan-time-zone');
const calendar: BusinessCalendar | null = serverToday && timeZone ? { today: serverToday, timeZone, loadedAt } : null;

/** Today's business date, YYYY-MM-DD. */
export function businessDate(): string {
  return calendar ? businessToday(calendar) : browserDate(new Date());
}

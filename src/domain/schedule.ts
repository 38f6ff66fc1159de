// A program's weekly meetings in the two forms the API knows: start and end ("ScheduleSlot", the
// form since the first release) and start and minutes ("WeeklySlot", `program.weekly_schedule`,
// the form sessions are checked against). Both describe the same meetings; each converts to the other.
import type { ScheduleSlot, WeeklySlot } from '../entities/program.entity.js';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmmOf = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The weekly form of start/end slots. */
export function toWeekly(slots: readonly ScheduleSlot[]): WeeklySlot[] {
  return slots.map((s) => ({ weekday: s.weekday, start: s.startsAt, minutes: minutesOf(s.endsAt) - minutesOf(s.startsAt) }));
}

/** The start/end form of weekly slots (a slot never crosses midnight: validated before). */
export function toSlots(weekly: readonly WeeklySlot[]): ScheduleSlot[] {
  return weekly.map((w) => ({ weekday: w.weekday, startsAt: w.start, endsAt: hhmmOf(minutesOf(w.start) + w.minutes) }));
}

/** Minutes left in the day after `start` (a meeting ends by 23:59). */
export function minutesLeftInDay(start: string): number {
  return 23 * 60 + 59 - minutesOf(start);
}

// The timesheet checks as pure rules (issue 13 §2): which of a session's facts break the program's
// weekly schedule, the city's holidays or another provider's session of the same child. The
// service gathers the facts set-wise and asks the city's rules whether each failure is refused or
// flagged; nothing here reads the database or the clock.
import { TimesheetCheck } from './enums.js';

/** One weekly slot: ISO weekday (1 = Monday), start in minutes after local midnight, length in minutes. */
export interface WeeklySlot {
  weekday: number;
  start: number;
  minutes: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const toMinutes = (hhmm: string): number | null => {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/**
 * The program's weekly slots: its `weekly_schedule` ({weekday, start "HH:MM", minutes}) when it has
 * one, else its meetings ({weekday, startsAt, endsAt}). Malformed entries are ignored, not guessed.
 */
export function weeklySlots(
  weeklySchedule: { weekday: number; start: string; minutes: number }[] | null | undefined,
  meetings: { weekday: number; startsAt: string; endsAt: string }[] | null | undefined,
): WeeklySlot[] {
  if (Array.isArray(weeklySchedule)) {
    return weeklySchedule.flatMap((s) => {
      const start = toMinutes(String(s.start));
      return start != null && Number.isInteger(s.weekday) && Number.isInteger(s.minutes) && s.minutes > 0 ? [{ weekday: s.weekday, start, minutes: s.minutes }] : [];
    });
  }
  return (meetings ?? []).flatMap((s) => {
    const start = toMinutes(s.startsAt);
    const end = toMinutes(s.endsAt);
    return start != null && end != null && end > start ? [{ weekday: s.weekday, start, minutes: end - start }] : [];
  });
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a YYYY-MM-DD date. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** [start, end) in minutes after midnight, when the program's slot that day says when it began; null when unknown. */
export function sessionInterval(slots: WeeklySlot[], date: string, minutes: number): [number, number] | null {
  const slot = slots.filter((s) => s.weekday === isoWeekday(date)).sort((a, b) => a.start - b.start)[0];
  return slot ? [slot.start, slot.start + minutes] : null;
}

export interface SessionFacts {
  date: string;
  minutes: number;
  slots: WeeklySlot[];
  holiday: boolean;
  suspended: boolean;
  /** The same child's sessions that day at other providers' programs. */
  elsewhere: { minutes: number; slots: WeeklySlot[] }[];
}

/**
 * The checks a session fails. With no known start on either side, two sessions of one child at
 * two providers the same day count as overlapping: the operator decides, not the arithmetic.
 */
export function failedChecks(s: SessionFacts): TimesheetCheck[] {
  const failed: TimesheetCheck[] = [];
  if (s.holiday) failed.push(TimesheetCheck.HOLIDAY);
  const today = s.slots.filter((slot) => slot.weekday === isoWeekday(s.date));
  if (today.length === 0) failed.push(TimesheetCheck.OFF_SCHEDULE);
  else if (s.minutes > today.reduce((sum, slot) => sum + slot.minutes, 0)) failed.push(TimesheetCheck.OVER_SLOT);
  const mine = sessionInterval(s.slots, s.date, s.minutes);
  const overlaps = s.elsewhere.some((other) => {
    const theirs = sessionInterval(other.slots, s.date, other.minutes);
    return !mine || !theirs || (mine[0] < theirs[1] && theirs[0] < mine[1]);
  });
  if (overlaps) failed.push(TimesheetCheck.OVERLAP);
  if (s.suspended) failed.push(TimesheetCheck.SUSPENDED);
  return failed;
}

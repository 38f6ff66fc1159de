// A month's sheet as the provider sends it (GraphQL or CSV), checked for shape before anything is
// read: every mistake names where it is — the input path, or the CSV line.
import { createHash } from 'node:crypto';
import { addDays } from '../domain/calendar.js';
import { DomainError, ErrorCode } from '../errors.js';
import { isUuid } from '../ids.js';

export interface TimesheetSessionInput {
  /** YYYY-MM-DD, in the city. */
  date: string;
  minutes: number;
  /** The CSV line it came from (1 is the header), for messages. */
  line?: number;
}

export interface TimesheetInput {
  programId: string;
  /** "YYYY-MM". */
  month: string;
  rows: { enrollmentId: string; sessions: TimesheetSessionInput[] }[];
}

/** Where a session of the sheet is, for an error's `field` (and `line`, from a CSV). */
export interface SessionPlace {
  row: number;
  session: number;
  line?: number;
}

export const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_SHEET_ROWS = 1000;
export const MAX_SESSIONS_PER_ROW = 31;

/** A refusal about one session (or row) of the sheet: BAD_USER_INPUT naming its input path or CSV line. */
export function sheetError(place: SessionPlace | { row: number; line?: number }, message: string): DomainError {
  const field = 'session' in place ? `input.rows[${place.row}].sessions[${place.session}]` : `input.rows[${place.row}].enrollmentId`;
  if (place.line != null) return new DomainError(ErrorCode.BAD_USER_INPUT, `Line ${place.line}: ${message}`, { field: `line ${place.line}`, line: place.line });
  return new DomainError(ErrorCode.BAD_USER_INPUT, message, { field });
}

/** [first day, first day of the next month) of "YYYY-MM". */
export function monthBounds(month: string): [string, string] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [`${month}-01`, `${next}-01`];
}

/**
 * Checks the sheet's shape against the month and today (the city's date): real dates inside the
 * month and not in the future, whole minutes 1–600, each enrollment once, each day once per row.
 */
export function validateSheetShape(input: TimesheetInput, today: string): void {
  if (!MONTH_RE.test(input.month)) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'month is "YYYY-MM".', { field: 'input.month' });
  const [start, end] = monthBounds(input.month);
  if (start > today) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'This month has not started yet; sessions in the future are not recorded.', { field: 'input.month' });
  if (input.rows.length > MAX_SHEET_ROWS) throw new DomainError(ErrorCode.BAD_USER_INPUT, `A sheet has at most ${MAX_SHEET_ROWS} enrollments.`, { field: 'input.rows' });
  const seen = new Set<string>();
  input.rows.forEach((row, i) => {
    const line = row.sessions[0]?.line;
    if (!isUuid(row.enrollmentId)) throw sheetError({ row: i, line }, 'Not an enrollment id.');
    if (seen.has(row.enrollmentId)) throw sheetError({ row: i, line }, 'This enrollment is listed twice; give all its sessions in one row.');
    seen.add(row.enrollmentId);
    if (row.sessions.length > MAX_SESSIONS_PER_ROW) throw sheetError({ row: i, line }, `At most ${MAX_SESSIONS_PER_ROW} sessions per child and month.`);
    const days = new Set<string>();
    row.sessions.forEach((s, j) => {
      const place = { row: i, session: j, line: s.line };
      if (!DATE_RE.test(s.date) || Number.isNaN(Date.parse(`${s.date}T00:00:00Z`)) || addDays(s.date, 0) !== s.date) throw sheetError(place, 'date is a real calendar date, YYYY-MM-DD.');
      if (s.date < start || s.date >= end) throw sheetError(place, `${s.date} is not in ${input.month}.`);
      if (s.date > today) throw sheetError(place, `${s.date} is in the future; sessions are recorded once they took place.`);
      if (!Number.isInteger(s.minutes) || s.minutes < 1 || s.minutes > 600) throw sheetError(place, 'minutes is a whole number from 1 to 600.');
      if (days.has(s.date)) throw sheetError(place, `${s.date} is given twice for this child; one session per day.`);
      days.add(s.date);
    });
  });
}

/** The sheet's content in a canonical order: the same sessions give the same hash however they are ordered. */
export function sheetHash(input: TimesheetInput): string {
  const lines = input.rows.flatMap((r) => r.sessions.map((s) => `${r.enrollmentId}|${s.date}|${s.minutes}`)).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

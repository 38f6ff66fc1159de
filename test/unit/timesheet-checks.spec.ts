// The timesheet's pure rules: the checks a session fails, and the CSV read into a sheet with its line numbers.
import { describe, expect, it } from 'vitest';
import { failedChecks, isoWeekday, weeklySlots } from '../../src/domain/timesheet-checks.js';
import { timesheetFromCsv } from '../../src/http/imports.js';
import { sheetHash, validateSheetShape } from '../../src/services/timesheet-input.js';

const TUESDAY_15 = weeklySlots(null, [{ weekday: 2, startsAt: '15:00', endsAt: '16:30' }]);
const facts = (over: Partial<Parameters<typeof failedChecks>[0]> = {}) => ({ date: '2026-11-03', minutes: 90, slots: TUESDAY_15, holiday: false, suspended: false, elsewhere: [], ...over });

describe('timesheet checks', () => {
  it('reads weekly_schedule when the program has one, else its meetings', () => {
    expect(weeklySlots([{ weekday: 1, start: '09:30', minutes: 45 }], [{ weekday: 2, startsAt: '15:00', endsAt: '16:30' }])).toEqual([{ weekday: 1, start: 570, minutes: 45 }]);
    expect(TUESDAY_15).toEqual([{ weekday: 2, start: 900, minutes: 90 }]);
    expect(weeklySlots([{ weekday: 1, start: '25:00', minutes: 45 }], [])).toEqual([]);
    expect(isoWeekday('2026-11-03')).toBe(2);
    expect(isoWeekday('2026-11-08')).toBe(7);
  });

  it('passes a session inside its slot, and names each check a session fails', () => {
    expect(failedChecks(facts())).toEqual([]);
    expect(failedChecks(facts({ holiday: true }))).toEqual(['HOLIDAY']);
    expect(failedChecks(facts({ date: '2026-11-04' }))).toEqual(['OFF_SCHEDULE']);
    expect(failedChecks(facts({ minutes: 91 }))).toEqual(['OVER_SLOT']);
    expect(failedChecks(facts({ suspended: true }))).toEqual(['SUSPENDED']);
    expect(failedChecks(facts({ holiday: true, minutes: 120, suspended: true }))).toEqual(['HOLIDAY', 'OVER_SLOT', 'SUSPENDED']);
  });

  it('finds a child at two providers at overlapping times, and not at times apart', () => {
    const at = (hhmm: string) => weeklySlots([{ weekday: 2, start: hhmm, minutes: 60 }], null);
    expect(failedChecks(facts({ elsewhere: [{ minutes: 60, slots: at('16:00') }] }))).toEqual(['OVERLAP']);
    expect(failedChecks(facts({ elsewhere: [{ minutes: 60, slots: at('16:30') }] }))).toEqual([]);
    expect(failedChecks(facts({ elsewhere: [{ minutes: 60, slots: at('14:00') }] }))).toEqual([]);
    // No known start on the other side: the operator decides.
    expect(failedChecks(facts({ elsewhere: [{ minutes: 60, slots: [] }] }))).toEqual(['OVERLAP']);
  });
});

describe('the timesheet CSV', () => {
  const E1 = '01900000-0000-7000-8000-000000000001';
  const E2 = '01900000-0000-7000-8000-000000000002';

  it('groups lines by enrollment and keeps each line number (the header is line 1; blank lines count)', () => {
    const sheet = timesheetFromCsv('p', '2026-11', `\uFEFFenrollment_id,date,minutes\r\n${E1},2026-11-03,90\r\n\r\n${E2},2026-11-03,60\r\n${E1},2026-11-10,45\r\n`);
    expect(sheet.rows).toEqual([
      { enrollmentId: E1, sessions: [{ date: '2026-11-03', minutes: 90, line: 2 }, { date: '2026-11-10', minutes: 45, line: 5 }] },
      { enrollmentId: E2, sessions: [{ date: '2026-11-03', minutes: 60, line: 4 }] },
    ]);
  });

  it('refuses a wrong header, a short line, a quote left open and non-numeric minutes, naming the line', () => {
    const lineOf = (text: string) => {
      try {
        timesheetFromCsv('p', '2026-11', text);
      } catch (err: any) {
        return [err.extensions.code, err.extensions.line];
      }
      return null;
    };
    expect(lineOf(`child,date,hours\n${E1},2026-11-03,1\n`)).toEqual(['BAD_USER_INPUT', 1]);
    expect(lineOf(`enrollment_id,date,minutes\n${E1},2026-11-03,90\n${E1},2026-11-04\n`)).toEqual(['BAD_USER_INPUT', 3]);
    expect(lineOf(`enrollment_id,date,minutes\n${E1},2026-11-03,1.5\n`)).toEqual(['BAD_USER_INPUT', 2]);
    expect(lineOf(`enrollment_id,date,minutes\n${E1},2026-11-03,90\n"${E1},2026-11-04,90\n`)?.[0]).toBe('BAD_USER_INPUT');
  });

  it('checks the shape against the month and today, with the CSV line in the message', () => {
    const sheet = timesheetFromCsv('p', '2026-11', `enrollment_id,date,minutes\n${E1},2026-11-03,90\n${E1},2026-12-01,90\n`);
    expect(() => validateSheetShape(sheet, '2026-12-15')).toThrow(/^Line 3: 2026-12-01 is not in 2026-11/);
    const future = timesheetFromCsv('p', '2026-11', `enrollment_id,date,minutes\n${E1},2026-11-20,90\n`);
    expect(() => validateSheetShape(future, '2026-11-19')).toThrow(/^Line 2: .*future/);
  });

  it('hashes the same sessions the same whatever their order', () => {
    const a = timesheetFromCsv('p', '2026-11', `enrollment_id,date,minutes\n${E1},2026-11-03,90\n${E2},2026-11-03,60\n`);
    const b = timesheetFromCsv('p', '2026-11', `enrollment_id,date,minutes\n${E2},2026-11-03,60\n${E1},2026-11-03,90\n`);
    expect(sheetHash(a)).toBe(sheetHash(b));
    expect(sheetHash(a)).not.toBe(sheetHash(timesheetFromCsv('p', '2026-11', `enrollment_id,date,minutes\n${E1},2026-11-03,60\n${E2},2026-11-03,60\n`)));
  });
});

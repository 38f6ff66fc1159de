import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CheckAction, TimesheetCheck } from '../domain/enums.js';
import { AttendanceType } from './attendance.type.js';
import { ConnectionType } from './common.js';
import { EnrollmentType } from './offer.type.js';
import { DateTime, LocalDate } from './scalars.js';

registerEnumType(TimesheetCheck, {
  name: 'TimesheetCheck',
  description: 'A check every timesheet session goes through; the city’s rules say whether a failure is refused or flagged.',
  valuesConfig: {
    HOLIDAY: { description: 'The session falls on one of the city’s holidays.' },
    OFF_SCHEDULE: { description: 'The program has no weekly slot on that weekday.' },
    OVER_SLOT: { description: 'More minutes than the program’s slots that weekday last.' },
    OVERLAP: { description: 'The child has a session at another provider that day at an overlapping time.' },
    SUSPENDED: { description: 'The voucher, the provider or the program was suspended that day.' },
  },
});
registerEnumType(CheckAction, {
  name: 'CheckAction',
  description: 'What a failed timesheet check does.',
  valuesConfig: {
    REFUSE: { description: 'The whole sheet is refused (BAD_USER_INPUT naming the line); nothing is written.' },
    FLAG: { description: 'The session is recorded but flagged: held from settlement until the city’s operator clears it.' },
  },
});

export enum FlagReviewStatus {
  OPEN = 'OPEN',
  CLEARED = 'CLEARED',
}
registerEnumType(FlagReviewStatus, {
  name: 'FlagReviewStatus',
  description: 'Where a flagged session is in the operator’s review.',
  valuesConfig: { OPEN: { description: 'Flagged and held from settlement.' }, CLEARED: { description: 'Cleared by the operator: payable once confirmed.' } },
});

@InputType({ description: 'One session of a child in the month.' })
export class TimesheetSessionInput {
  @Field(() => LocalDate, { description: 'The session’s date, in the city: inside the sheet’s month, not in the future.' })
  date!: string;

  @Field(() => Int, { description: 'How long it lasted, in whole minutes (1–600).' })
  minutes!: number;
}

@InputType({ description: 'One enrolled child’s sessions in the month.' })
export class TimesheetRowInput {
  @Field(() => ID, { description: 'The enrollment (from `Program.enrollments` or `myRoster`).' })
  enrollmentId!: string;

  @Field(() => [TimesheetSessionInput], { description: 'The child’s sessions in the month, at most one per day.' })
  sessions!: TimesheetSessionInput[];
}

@InputType({ description: 'A program’s whole month of sessions (PROVIDER, own programs).' })
export class RecordTimesheetInput {
  @Field(() => ID, { description: 'The program.' })
  programId!: string;

  @Field(() => String, { description: 'The month, "YYYY-MM".' })
  month!: string;

  @Field(() => [TimesheetRowInput], { description: 'Every child with sessions this month; a child not listed has none the parent has not yet answered.' })
  rows!: TimesheetRowInput[];
}

@ObjectType('Timesheet', { description: 'A program’s month of sessions, as its provider last submitted it. One per program and month.' })
export class TimesheetType {
  @Field(() => ID, { description: 'Stable id of the sheet.' })
  id!: string;

  @Field(() => String, { description: 'The month, "YYYY-MM".' })
  month!: string;

  @Field(() => Int, { description: '1 for the first submission, +1 for each later one that changed something.' })
  version!: number;

  @Field(() => DateTime, { description: 'When the current version was submitted.' })
  submittedAt!: Date;
}

@ObjectType({ description: 'Result of recordTimesheet (and of the CSV upload).' })
export class RecordTimesheetPayload {
  @Field(() => TimesheetType, { description: 'The sheet as saved.' })
  timesheet!: TimesheetType;

  @Field(() => [AttendanceType], { description: 'The month’s sessions of the program held for the operator’s review (flagged, not cleared), by date. The whole month: `attendances(filter: { programId, from, to })`.' })
  flagged!: AttendanceType[];

  @Field(() => Int, { description: 'How many sessions the program has in the month after the submission.' })
  sessionCount!: number;

  @Field(() => Int, { description: 'Sessions created.' })
  created!: number;

  @Field(() => Int, { description: 'Unanswered sessions whose minutes (or flags) changed.' })
  changed!: number;

  @Field(() => Int, { description: 'Unanswered sessions no longer on the sheet, withdrawn.' })
  withdrawn!: number;

  @Field(() => Int, { description: 'Sessions on the sheet the parent already confirmed or disputed (or whose window lapsed): left as they were.' })
  keptDecided!: number;
}

@ObjectType('Holiday', { description: 'A public holiday in a city.' })
export class HolidayType {
  @Field(() => LocalDate, { description: 'The day.' })
  date!: string;

  @Field(() => String, { description: 'Its name, as the operator gave it.' })
  name!: string;
}

@InputType({ description: 'One holiday.' })
export class HolidayInput {
  @Field(() => LocalDate, { description: 'The day, in the calendar’s year.' })
  date!: string;

  @Field(() => String, { description: 'Its name (1–200 characters).' })
  name!: string;
}

@InputType({ description: 'A city’s holidays of one year (OPERATOR of the city or ADMIN); replaces the year’s list.' })
export class SetHolidaysInput {
  @Field(() => String, { description: 'City code.' })
  city!: string;

  @Field(() => String, { description: 'The year, "YYYY".' })
  year!: string;

  @Field(() => [HolidayInput], { description: 'Every holiday of the year (at most 60); an empty list clears the year.' })
  holidays!: HolidayInput[];
}

@ObjectType({ description: 'Result of setHolidays.' })
export class HolidaysPayload {
  @Field(() => [HolidayType], { description: 'The year’s holidays as saved, by date.' })
  holidays!: HolidayType[];
}

@InputType({ description: 'Clear the flags of sessions (OPERATOR of their city or ADMIN): they become payable once confirmed.' })
export class ClearSessionFlagsInput {
  @Field(() => [ID], { description: 'The flagged sessions (1–500).' })
  attendanceIds!: string[];

  @Field(() => String, { description: 'Why they are in order (3–1000 characters); kept in the audit log.' })
  note!: string;
}

@ObjectType('TimesheetCheckRule', { description: 'What a city does with sessions failing one timesheet check.' })
export class TimesheetCheckRuleType {
  @Field(() => TimesheetCheck, { description: 'The check.' })
  check!: TimesheetCheck;

  @Field(() => CheckAction, { description: 'REFUSE or FLAG.' })
  action!: CheckAction;
}

@InputType({ description: 'A new action for one timesheet check.' })
export class TimesheetCheckRuleInput {
  @Field(() => TimesheetCheck, { description: 'The check.' })
  check!: TimesheetCheck;

  @Field(() => CheckAction, { description: 'REFUSE or FLAG.' })
  action!: CheckAction;
}

@ObjectType({ description: 'A page of enrollments: a roster.' })
export class EnrollmentConnection extends ConnectionType(EnrollmentType, 'Enrollment') {}

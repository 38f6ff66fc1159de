import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AttendanceStatus, TimesheetCheck } from '../domain/enums.js';
import { ConnectionType } from './common.js';
import { DateTime, LocalDate } from './scalars.js';

@ObjectType('Attendance', { description: 'A session the provider says a child attended; paid only once the parent confirms it.' })
export class AttendanceType {
  @Field(() => ID, { description: 'Stable id of the session record.' })
  id!: string;

  @Field(() => LocalDate, { description: 'The session’s date, in the city.' })
  sessionDate!: string;

  @Field(() => AttendanceStatus, { description: 'RECORDED, CONFIRMED, DISPUTED or UNCONFIRMED.' })
  status!: AttendanceStatus;

  @Field(() => Int, { description: 'Duration in minutes.' })
  minutes!: number;

  @Field(() => String, { nullable: true, description: 'The parent’s reason, for a disputed session.' })
  disputeReason?: string | null;

  @Field(() => DateTime, { description: 'When the provider recorded it.' })
  recordedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When the parent confirmed or disputed it, or the window closed.' })
  decidedAt?: Date | null;

  @Field(() => [TimesheetCheck], { description: 'Timesheet checks the session failed that the city flags rather than refuses; a flagged session is not paid until the operator clears it. Empty for most sessions.' })
  flags!: TimesheetCheck[];

  @Field(() => DateTime, { nullable: true, description: 'When the city’s operator cleared the flags (null: not flagged, or still held).' })
  flagsClearedAt?: Date | null;
}

@ObjectType({ description: 'A page of sessions.' })
export class AttendanceConnection extends ConnectionType(AttendanceType, 'Attendance') {}

@InputType({ description: 'Record one session of a program for the children present (PROVIDER, own programs).' })
export class RecordAttendanceInput {
  @Field(() => ID, { description: 'The program.' })
  programId!: string;

  @Field(() => LocalDate, { description: 'The session’s date (not in the future).' })
  date!: string;

  @Field(() => [ID], { description: 'Children present; each must have been enrolled in the program on that date.' })
  childIds!: string[];

  @Field(() => Float, { description: 'Length in hours, in quarter hours (e.g. 1.5).' })
  hours!: number;
}

@InputType({ description: 'Confirm sessions of your children (PARENT). Confirming again changes nothing.' })
export class ConfirmAttendanceInput {
  @Field(() => [ID], { description: 'The sessions.' })
  attendanceIds!: string[];

  @Field(() => String, { nullable: true, description: 'Client-chosen key: a retry with the same key returns the first result.' })
  idempotencyKey?: string | null;
}

@InputType({ description: 'Dispute a session (PARENT): it will not be paid.' })
export class DisputeAttendanceInput {
  @Field(() => ID, { description: 'The session.' })
  attendanceId!: string;

  @Field(() => String, { description: 'Why; the provider and the city see it.' })
  reason!: string;
}

@ObjectType({ description: 'Result of recordAttendance and confirmAttendance.' })
export class AttendancesPayload {
  @Field(() => [AttendanceType], { description: 'The sessions as saved.' })
  attendances!: AttendanceType[];
}

@ObjectType({ description: 'Result of disputeAttendance.' })
export class AttendancePayload {
  @Field(() => AttendanceType, { description: 'The session as saved.' })
  attendance!: AttendanceType;
}

@InputType({ description: 'Narrows a list of sessions; all given fields must match.' })
export class AttendanceFilter {
  @Field(() => ID, { nullable: true, description: 'One program.' })
  programId?: string | null;

  @Field(() => ID, { nullable: true, description: 'One child.' })
  childId?: string | null;

  @Field(() => AttendanceStatus, { nullable: true, description: 'One status.' })
  status?: AttendanceStatus | null;

  @Field(() => LocalDate, { nullable: true, description: 'From this date (inclusive).' })
  from?: string | null;

  @Field(() => LocalDate, { nullable: true, description: 'Until this date (inclusive).' })
  to?: string | null;
}

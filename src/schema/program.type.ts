import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Direction, ProgramReviewDecision, ProgramStatus, ProviderKind, TeachingLanguage, VoucherType } from '../domain/enums.js';
import { ConnectionType, LocalizedTextType } from './common.js';
import { DateTime } from './scalars.js';

@ObjectType('ScheduleSlot', { description: 'One weekly meeting of a club, in the city’s local time.' })
export class ScheduleSlotType {
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' })
  weekday!: number;

  @Field(() => String, { description: 'Start time, HH:MM (24-hour).' })
  startsAt!: string;

  @Field(() => String, { description: 'End time, HH:MM (24-hour).' })
  endsAt!: string;
}

@ObjectType('WeeklySlot', { description: 'One weekly meeting as start and length (the form sessions are checked against), in the city’s local time.' })
export class WeeklySlotType {
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' })
  weekday!: number;

  @Field(() => String, { description: 'Start time, HH:MM (24-hour).' })
  start!: string;

  @Field(() => Int, { description: 'Length in minutes.' })
  minutes!: number;
}

@ObjectType('Program', { description: 'A club or section of a provider, where a child can use a voucher.' })
export class ProgramType {
  @Field(() => ID, { description: 'Stable id of the program.' })
  id!: string;

  @Field(() => LocalizedTextType, { description: 'The club’s name.' })
  title!: LocalizedTextType;

  @Field(() => Direction, { description: 'Educational, creative or sports.' })
  direction!: Direction;

  @Field(() => Int, { description: 'Youngest age accepted, in whole years.' })
  minAge!: number;

  @Field(() => Int, { description: 'Oldest age accepted, in whole years.' })
  maxAge!: number;

  @Field(() => Int, { description: 'Places in the group.' })
  seats!: number;

  @Field(() => Int, { description: 'Places still free.' })
  freeSeats!: number;

  @Field(() => [ScheduleSlotType], { description: 'Weekly meetings.' })
  schedule!: ScheduleSlotType[];

  @Field(() => [WeeklySlotType], { description: 'The same weekly meetings as `schedule`, as start and minutes.' })
  weeklySchedule!: WeeklySlotType[];

  @Field(() => TeachingLanguage, { description: 'Language of instruction.' })
  language!: TeachingLanguage;

  @Field(() => ProgramStatus, { description: 'Where the program is in the city’s review; only PUBLISHED programs are in the public catalogue and take children.' })
  status!: ProgramStatus;

  @Field(() => String, { nullable: true, description: 'What the children do and learn, as the provider describes it.' })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Where the group meets (street and building).' })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'The city district the group meets in.' })
  district?: string | null;

  @Field(() => String, { nullable: true, description: 'The teacher or coach leading the group, as the provider publishes it.' })
  teacherName?: string | null;

  @Field(() => String, { nullable: true, description: 'The operator’s comments when the program was returned (RETURNED); null once published.' })
  reviewComment?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the program was last submitted for review.' })
  submittedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When the program was published.' })
  publishedAt?: Date | null;

  @Field(() => Boolean, { description: 'False once the provider closes the program to new children.' })
  active!: boolean;

  @Field(() => DateTime, { description: 'When the program was added.' })
  createdAt!: Date;

  @Field(() => DateTime, { description: 'When the program last changed.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'A page of programs.' })
export class ProgramConnection extends ConnectionType(ProgramType, 'Program') {}

@InputType({ description: 'Narrows the catalogue; all given fields must match.' })
export class ProgramFilter {
  @Field(() => String, { nullable: true, description: 'City code, e.g. "ASTANA".' })
  city?: string | null;

  @Field(() => Direction, { description: 'Only programs of this direction.', nullable: true })
  direction?: Direction | null;

  @Field(() => ProviderKind, { description: 'Only programs of providers of this kind.', nullable: true })
  providerKind?: ProviderKind | null;

  @Field(() => ID, { description: 'Only this provider’s programs.', nullable: true })
  providerId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Only programs whose age range includes this age (0–18).' })
  childAge?: number | null;

  @Field(() => VoucherType, { nullable: true, description: 'Only programs that accept this voucher type.' })
  voucherType?: VoucherType | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only programs with a free place; false: only full ones.' })
  hasFreeSeats?: boolean | null;

  @Field(() => TeachingLanguage, { description: 'Only programs taught in this language.', nullable: true })
  language?: TeachingLanguage | null;

  @Field(() => ProgramStatus, { nullable: true, description: 'Staff: only programs in this review status, e.g. IN_REVIEW for an operator’s review list. The public sees PUBLISHED programs only.' })
  status?: ProgramStatus | null;
}

@InputType({ description: 'Text in Kazakh and Russian (both required) and optionally English.' })
export class LocalizedTextInput {
  @Field(() => String, { description: 'Kazakh text.' })
  kk!: string;

  @Field(() => String, { description: 'Russian text.' })
  ru!: string;

  @Field(() => String, { description: 'English text, optional.', nullable: true })
  en?: string | null;
}

@InputType({ description: 'One weekly meeting of a club.' })
export class ScheduleSlotInput {
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' })
  weekday!: number;

  @Field(() => String, { description: 'HH:MM, 24-hour.' })
  startsAt!: string;

  @Field(() => String, { description: 'HH:MM, 24-hour; after startsAt.' })
  endsAt!: string;
}

@InputType({ description: 'One weekly meeting as start and length.' })
export class WeeklySlotInput {
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' })
  weekday!: number;

  @Field(() => String, { description: 'HH:MM, 24-hour.' })
  start!: string;

  @Field(() => Int, { description: '15–600 minutes, ending the same day. Meetings of one day may not overlap.' })
  minutes!: number;
}

/** The fields a program needs before it is submitted for review, shared by creating and changing it. */
@InputType()
abstract class ProgramReviewFieldsInput {
  @Field(() => String, { nullable: true, description: 'What the children do and learn (needed to submit for review).' })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Where the group meets (needed to submit for review).' })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'The city district (needed to submit for review).' })
  district?: string | null;

  @Field(() => String, { nullable: true, description: 'The teacher or coach (needed to submit for review); published in the catalogue.' })
  teacherName?: string | null;
}

@InputType({ description: 'A new program of a provider. Providers create programs only for themselves, as a DRAFT to submit for review; a program an operator of the city or an admin adds is published at once.' })
export class CreateProgramInput extends ProgramReviewFieldsInput {
  @Field(() => ID, { description: 'The provider running the program.' })
  providerId!: string;

  @Field(() => LocalizedTextInput, { description: 'The club’s name in Kazakh and Russian.' })
  title!: LocalizedTextInput;

  @Field(() => Direction, { description: 'Educational, creative or sports.' })
  direction!: Direction;

  @Field(() => Int, { description: '0–18.' })
  minAge!: number;

  @Field(() => Int, { description: 'minAge–18.' })
  maxAge!: number;

  @Field(() => Int, { description: 'At least 1.' })
  seats!: number;

  @Field(() => [ScheduleSlotInput], { description: 'Weekly meetings, at most 14.', defaultValue: [] })
  schedule!: ScheduleSlotInput[];

  @Field(() => [WeeklySlotInput], { nullable: true, description: 'Weekly meetings as start and minutes (at most 14); instead of `schedule`, which is then computed from it.' })
  weeklySchedule?: WeeklySlotInput[] | null;

  @Field(() => TeachingLanguage, { description: 'Language of instruction.' })
  language!: TeachingLanguage;
}

@InputType({ description: 'Changes to a program; omitted fields stay as they are.' })
export class UpdateProgramInput extends ProgramReviewFieldsInput {
  @Field(() => ID, { description: 'The program to change.' })
  programId!: string;

  @Field(() => LocalizedTextInput, { description: 'New name.', nullable: true })
  title?: LocalizedTextInput | null;

  @Field(() => Direction, { description: 'New direction.', nullable: true })
  direction?: Direction | null;

  @Field(() => Int, { description: 'New youngest age (0–18).', nullable: true })
  minAge?: number | null;

  @Field(() => Int, { description: 'New oldest age (minAge–18).', nullable: true })
  maxAge?: number | null;

  @Field(() => Int, { nullable: true, description: 'Cannot go below the places already taken.' })
  seats?: number | null;

  @Field(() => [ScheduleSlotInput], { description: 'New weekly meetings (replaces the old ones).', nullable: true })
  schedule?: ScheduleSlotInput[] | null;

  @Field(() => [WeeklySlotInput], { nullable: true, description: 'New weekly meetings as start and minutes, replacing the old ones (at most 14); instead of `schedule`, which is then computed from it.' })
  weeklySchedule?: WeeklySlotInput[] | null;

  @Field(() => TeachingLanguage, { description: 'New language of instruction.', nullable: true })
  language?: TeachingLanguage | null;

  @Field(() => Boolean, { nullable: true, description: 'false closes the program to new children.' })
  active?: boolean | null;
}

@InputType({ description: 'Which program to submit for review.' })
export class SubmitProgramInput {
  @Field(() => ID, { description: 'A DRAFT or RETURNED program of the caller’s provider, with description, address, district, teacher and a weekly schedule.' })
  programId!: string;
}

@InputType({ description: 'An operator’s decision on a program in review.' })
export class ReviewProgramInput {
  @Field(() => ID, { description: 'A program IN_REVIEW in the operator’s city.' })
  programId!: string;

  @Field(() => ProgramReviewDecision, { description: 'PUBLISH or RETURN.' })
  decision!: ProgramReviewDecision;

  @Field(() => String, { nullable: true, description: 'What the provider should change: required to RETURN (3–2000 characters); kept in the audit log.' })
  comment?: string | null;
}

@ObjectType({ description: 'Result of createProgram, updateProgram, submitProgramForReview and reviewProgram.' })
export class ProgramPayload {
  @Field(() => ProgramType, { description: 'The program as saved.' })
  program!: ProgramType;
}

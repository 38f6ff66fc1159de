import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Direction, ProviderKind, TeachingLanguage, VoucherType } from '../domain/enums.js';
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

  @Field(() => TeachingLanguage, { description: 'Language of instruction.' })
  language!: TeachingLanguage;

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

@InputType({ description: 'A new program of a provider. Providers create programs only for themselves.' })
export class CreateProgramInput {
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

  @Field(() => TeachingLanguage, { description: 'Language of instruction.' })
  language!: TeachingLanguage;
}

@InputType({ description: 'Changes to a program; omitted fields stay as they are.' })
export class UpdateProgramInput {
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

  @Field(() => TeachingLanguage, { description: 'New language of instruction.', nullable: true })
  language?: TeachingLanguage | null;

  @Field(() => Boolean, { nullable: true, description: 'false closes the program to new children.' })
  active?: boolean | null;
}

@ObjectType({ description: 'Result of createProgram and updateProgram.' })
export class ProgramPayload {
  @Field(() => ProgramType, { description: 'The program as saved.' })
  program!: ProgramType;
}

import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Language, PriorityCategory, Relationship, Sex } from '../domain/enums.js';
import { DateTime, LocalDate } from './scalars.js';

@ObjectType('Child', { description: 'A child registered by their legal representative; the holder of a voucher.' })
export class ChildType {
  @Field(() => ID, { description: 'Stable id of the child in Kezek.' })
  id!: string;

  @Field(() => String, { description: 'The child’s IIN. Visible only to their representative and admins.' })
  iin!: string;

  @Field(() => String, { description: 'Full name as given by the representative.' })
  fullName!: string;

  @Field(() => LocalDate, { description: 'As encoded in the IIN.' })
  birthDate!: string;

  @Field(() => Sex, { description: 'As encoded in the IIN.' })
  sex!: Sex;

  @Field(() => PriorityCategory, { description: 'Declared priority category; NONE when none applies.' })
  priorityCategory!: PriorityCategory;

  @Field(() => DateTime, { description: 'When the child was registered.' })
  createdAt!: Date;
}

@InputType({ description: 'The parent’s own details, needed on their first registration if the token has none.' })
export class ApplicantProfileInput {
  @Field(() => String, { description: 'Your full name.' })
  fullName!: string;

  @Field(() => String, { description: 'Kazakh number in +7 format; SMS notices go here.' })
  phone!: string;

  @Field(() => Language, { description: 'Language for SMS and notices.' })
  language!: Language;
}

@InputType({ description: 'Links a child, by IIN, to the signed-in parent.' })
export class RegisterChildInput {
  @Field(() => String, { description: 'The child’s IIN: 12 digits with a valid check digit.' })
  iin!: string;

  @Field(() => String, { description: 'The child’s full name.' })
  fullName!: string;

  @Field(() => Relationship, { description: 'How you are related to the child.' })
  relationship!: Relationship;

  @Field(() => LocalDate, { nullable: true, description: 'Optional; must match the date the IIN encodes.' })
  birthDate?: string | null;

  @Field(() => PriorityCategory, { nullable: true, description: 'Defaults to NONE.' })
  priorityCategory?: PriorityCategory | null;

  @Field(() => ApplicantProfileInput, { description: 'Your own details, on your first registration.', nullable: true })
  parent?: ApplicantProfileInput | null;
}

@ObjectType({ description: 'Result of registerChild.' })
export class RegisterChildPayload {
  @Field(() => ChildType, { description: 'The registered child.' })
  child!: ChildType;
}

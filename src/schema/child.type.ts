import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Language, PriorityCategory, Relationship, Sex } from '../domain/enums.js';
import { DateTime, LocalDate } from './scalars.js';

/**
 * Who reads which field is the access policy's (src/auth/policy.ts, README "Who sees what"): a
 * field the caller may not read is null with a FORBIDDEN error, so those fields are nullable.
 */
@ObjectType('Child', { description: 'A child registered by their legal representative; the holder of a voucher. Fields are shown as the README’s “Who sees what” says; a hidden field is null with a FORBIDDEN error.' })
export class ChildType {
  @Field(() => ID, { description: 'Stable id of the child in Kezek.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'The child’s IIN. Visible only to their representative and admins.' })
  iin!: string;

  @Field(() => String, { nullable: true, description: 'Full name as given by the representative. Not visible to agencies; providers see it only for children enrolled with them.' })
  fullName!: string;

  @Field(() => LocalDate, { nullable: true, description: 'As encoded in the IIN. The family, the city’s operators and admins only.' })
  birthDate!: string;

  @Field(() => Sex, { nullable: true, description: 'As encoded in the IIN. Not visible to providers.' })
  sex!: Sex;

  @Field(() => PriorityCategory, {
    nullable: true,
    description:
      'The priority category that counts in the queue: NONE until a category a family declared is verified by the city (or the population registry). The declared one is in link.declaredPriorityCategory. Not visible to providers.',
  })
  priorityCategory!: PriorityCategory;

  @Field(() => DateTime, { nullable: true, description: 'When the child was registered. Not visible to providers.' })
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

  @Field(() => PriorityCategory, {
    nullable: true,
    description: 'A priority category you declare (defaults to NONE). It counts only once the city verifies it on your documents; until then you wait at the ordinary rank, keeping your submission time.',
  })
  priorityCategory?: PriorityCategory | null;

  @Field(() => String, {
    nullable: true,
    description: 'Code of the city you live in. Its education department verifies your claim if the population registry cannot; without it, the city of your first application does.',
  })
  city?: string | null;

  @Field(() => ApplicantProfileInput, { description: 'Your own details, on your first registration.', nullable: true })
  parent?: ApplicantProfileInput | null;
}

@ObjectType({ description: 'Result of registerChild.' })
export class RegisterChildPayload {
  @Field(() => ChildType, { description: 'The child as your claim shows it: what you declared and what the IIN encodes. The link starts CLAIMED.' })
  child!: ChildType;
}

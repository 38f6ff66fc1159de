import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ProviderKind, ProviderStatus } from '../domain/enums.js';
import { ConnectionType } from './common.js';
import { DateTime } from './scalars.js';

@ObjectType('Provider', { description: 'An organisation running clubs: a school, a state institution or a private provider.' })
export class ProviderType {
  @Field(() => ID, { description: 'Stable id of the provider.' })
  id!: string;

  @Field(() => String, { description: 'Business identification number: 12 digits with a check digit.' })
  bin!: string;

  @Field(() => String, { description: 'Registered name.' })
  name!: string;

  @Field(() => ProviderKind, { description: 'School, state institution or private provider.' })
  kind!: ProviderKind;

  @Field(() => ProviderStatus, { description: 'Where the provider is in approval.' })
  status!: ProviderStatus;

  @Field(() => DateTime, { nullable: true, description: 'When the city first approved the provider.' })
  approvedAt?: Date | null;

  @Field(() => DateTime, { description: 'When the provider was registered.' })
  createdAt!: Date;
}

@ObjectType({ description: 'A page of providers.' })
export class ProviderConnection extends ConnectionType(ProviderType, 'Provider') {}

@InputType({ description: 'Narrows the provider list; all given fields must match.' })
export class ProviderFilter {
  @Field(() => String, { nullable: true, description: 'City code, e.g. "ASTANA".' })
  city?: string | null;

  @Field(() => ProviderKind, { description: 'Only providers of this kind.', nullable: true })
  kind?: ProviderKind | null;

  @Field(() => ProviderStatus, { nullable: true, description: 'Staff only: the public sees APPROVED providers.' })
  status?: ProviderStatus | null;
}

@InputType({ description: 'A new provider, registered PENDING by the city’s education department.' })
export class RegisterProviderInput {
  @Field(() => String, { description: 'BIN: 12 digits with a valid check digit.' })
  bin!: string;

  @Field(() => String, { description: 'Registered name of the organisation.' })
  name!: string;

  @Field(() => ProviderKind, { description: 'School, state institution or private provider.' })
  kind!: ProviderKind;

  @Field(() => String, { description: 'City code.' })
  city!: string;
}

@InputType({ description: 'Which provider to approve.' })
export class ApproveProviderInput {
  @Field(() => ID, { description: 'The provider to approve.' })
  providerId!: string;
}

@InputType({ description: 'Which provider to suspend.' })
export class SuspendProviderInput {
  @Field(() => ID, { description: 'The provider to suspend.' })
  providerId!: string;
}

@ObjectType({ description: 'Result of registerProvider, approveProvider and suspendProvider.' })
export class ProviderPayload {
  @Field(() => ProviderType, { description: 'The provider as saved.' })
  provider!: ProviderType;
}

import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ProviderKind, ProviderStatus } from '../domain/enums.js';
import { ConnectionType } from './common.js';
import { DateTime } from './scalars.js';

@ObjectType('Provider', { description: 'An organisation running clubs: a school, a state institution or a private provider.' })
export class ProviderType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Business identification number: 12 digits with a check digit.' })
  bin!: string;

  @Field(() => String, { description: 'Registered name.' })
  name!: string;

  @Field(() => ProviderKind)
  kind!: ProviderKind;

  @Field(() => ProviderStatus)
  status!: ProviderStatus;

  @Field(() => DateTime, { nullable: true, description: 'When the city first approved the provider.' })
  approvedAt?: Date | null;

  @Field(() => DateTime)
  createdAt!: Date;
}

@ObjectType()
export class ProviderConnection extends ConnectionType(ProviderType, 'Provider') {}

@InputType({ description: 'Narrows the provider list; all given fields must match.' })
export class ProviderFilter {
  @Field(() => String, { nullable: true, description: 'City code, e.g. "ASTANA".' })
  city?: string | null;

  @Field(() => ProviderKind, { nullable: true })
  kind?: ProviderKind | null;

  @Field(() => ProviderStatus, { nullable: true, description: 'Staff only: the public sees APPROVED providers.' })
  status?: ProviderStatus | null;
}

@InputType({ description: 'A new provider, registered PENDING by the city’s education department.' })
export class RegisterProviderInput {
  @Field(() => String, { description: 'BIN: 12 digits with a valid check digit.' })
  bin!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ProviderKind)
  kind!: ProviderKind;

  @Field(() => String, { description: 'City code.' })
  city!: string;
}

@InputType()
export class ApproveProviderInput {
  @Field(() => ID)
  providerId!: string;
}

@InputType()
export class SuspendProviderInput {
  @Field(() => ID)
  providerId!: string;
}

@ObjectType()
export class ProviderPayload {
  @Field(() => ProviderType)
  provider!: ProviderType;
}

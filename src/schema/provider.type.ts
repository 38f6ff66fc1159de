import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ProviderDecision, ProviderKind, ProviderStatus } from '../domain/enums.js';
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

/** What Provider.application resolves to: the provider's filed details, with what the access policy asks about. */
export interface ProviderApplicationRecord {
  providerId: string;
  cityId: string;
  address: string | null;
  licenceReference: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  appliedAt: Date | null;
  decisionReason: string | null;
  decidedAt: Date | null;
}

@ObjectType('ProviderApplication', { description: 'What a provider filed to join the programme, and the city’s latest decision. Readable by the provider itself, its city’s operators and admins.' })
export class ProviderApplicationType {
  @Field(() => String, { nullable: true, description: 'The organisation’s address.' })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'The education licence (or registration) reference.' })
  licenceReference?: string | null;

  @Field(() => String, { nullable: true, description: 'The contact person.' })
  contactName?: string | null;

  @Field(() => String, { nullable: true, description: 'The contact phone, +7XXXXXXXXXX.' })
  contactPhone?: string | null;

  @Field(() => String, { nullable: true, description: 'The contact e-mail.' })
  contactEmail?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the provider last applied (null: registered by an operator).' })
  appliedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'The operator’s reason for the latest decision (approval, rejection, suspension, reinstatement).' })
  decisionReason?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the latest decision was taken.' })
  decidedAt?: Date | null;
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

  @Field(() => String, { nullable: true, description: 'Why (optional here; decideProvider requires one).' })
  reason?: string | null;
}

@InputType({ description: 'Which provider to suspend.' })
export class SuspendProviderInput {
  @Field(() => ID, { description: 'The provider to suspend.' })
  providerId!: string;

  @Field(() => String, { nullable: true, description: 'Why (optional here; decideProvider requires one).' })
  reason?: string | null;
}

@InputType({ description: 'A provider-to-be’s application. The BIN is the caller’s own, from its token.' })
export class ApplyAsProviderInput {
  @Field(() => String, { description: 'Registered (legal) name of the organisation.' })
  name!: string;

  @Field(() => ProviderKind, { description: 'School, state institution or private provider.' })
  kind!: ProviderKind;

  @Field(() => String, { description: 'City code of the city whose programme it joins.' })
  city!: string;

  @Field(() => String, { description: 'The organisation’s address.' })
  address!: string;

  @Field(() => String, { description: 'Education licence (or registration) reference.' })
  licenceReference!: string;

  @Field(() => String, { description: 'The contact person.' })
  contactName!: string;

  @Field(() => String, { description: 'The contact phone (a Kazakh number).' })
  contactPhone!: string;

  @Field(() => String, { nullable: true, description: 'The contact e-mail.' })
  contactEmail?: string | null;
}

@InputType({ description: 'An operator’s decision on a provider, with its reason.' })
export class DecideProviderInput {
  @Field(() => ID, { description: 'A provider of the operator’s city.' })
  providerId!: string;

  @Field(() => ProviderDecision, { description: 'APPROVE or REJECT a PENDING application; SUSPEND an APPROVED provider; REINSTATE a SUSPENDED one.' })
  decision!: ProviderDecision;

  @Field(() => String, { description: 'Why: 3–1000 characters, shown to the provider and kept in the audit log.' })
  reason!: string;
}

@ObjectType({ description: 'Result of applyAsProvider, registerProvider, decideProvider, approveProvider and suspendProvider.' })
export class ProviderPayload {
  @Field(() => ProviderType, { description: 'The provider as saved.' })
  provider!: ProviderType;
}

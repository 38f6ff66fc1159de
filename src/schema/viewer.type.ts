import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Role } from '../domain/enums.js';
import { DateTime } from './scalars.js';

@ObjectType('Viewer', { description: 'The caller: their role and the scope it applies to.' })
export class ViewerType {
  @Field(() => Role, { description: 'The caller’s role.' })
  role!: Role;

  @Field(() => String, { nullable: true, description: 'Display name from the token or API key.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'PARENT: the parent’s IIN.' })
  iin?: string | null;

  @Field(() => String, { nullable: true, description: 'PROVIDER signed in by BIN: the organisation’s BIN.' })
  bin?: string | null;
}

@ObjectType('ApiKey', { description: 'A partner agency’s API key. The secret is shown only once, when issued.' })
export class ApiKeyType {
  @Field(() => ID, { description: 'Stable id of the key (not the key itself).' })
  id!: string;

  @Field(() => String, { description: 'Who the key was issued to.' })
  name!: string;

  @Field(() => String, { description: 'The non-secret part of the key, to tell keys apart.' })
  prefix!: string;

  @Field(() => DateTime, { description: 'When the key was issued.' })
  createdAt!: Date;

  @Field(() => DateTime, { description: 'When the key was revoked; null while it is valid.', nullable: true })
  revokedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'Approximate (to the minute).' })
  lastUsedAt?: Date | null;
}

@InputType({ description: 'Who a new API key is for.' })
export class CreateApiKeyInput {
  @Field(() => String, { description: 'Who the key is for, e.g. "Bureau of National Statistics".' })
  name!: string;
}

@InputType({ description: 'Which API key to revoke.' })
export class RevokeApiKeyInput {
  @Field(() => ID, { description: 'The key to revoke.' })
  apiKeyId!: string;
}

@ObjectType({ description: 'The new key; `key` is shown only this once.' })
export class CreateApiKeyPayload {
  @Field(() => ApiKeyType, { description: 'The issued key’s record.' })
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The full key, to send as `X-Api-Key`. Shown only now: store it safely.' })
  key!: string;
}

@ObjectType({ description: 'Result of revokeApiKey.' })
export class RevokeApiKeyPayload {
  @Field(() => ApiKeyType, { description: 'The revoked key’s record.' })
  apiKey!: ApiKeyType;
}

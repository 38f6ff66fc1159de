import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { uuidv7 } from '../ids.js';

/**
 * A partner agency's API key. Only a SHA-256 of the secret part is stored: keys are 256-bit random
 * values, so a slow password hash would add nothing but latency. The prefix finds the row.
 */
@Entity({ tableName: 'api_key' })
export class ApiKey {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** Who the key was issued to, e.g. "Bureau of National Statistics". */
  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text' })
  @Unique()
  prefix: string;

  @Property({ type: 'text', hidden: true })
  secretHash: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null = null;

  constructor(name: string, prefix: string, secretHash: string) {
    this.name = name;
    this.prefix = prefix;
    this.secretHash = secretHash;
  }
}

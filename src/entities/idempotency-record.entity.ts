import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A client's idempotency key for a money mutation: the first request's input (hashed) and result.
 * A retry with the same key gets the same result; the same key with other input is refused.
 */
@Entity({ tableName: 'idempotency_record' })
export class IdempotencyRecord {
  /** Who sent it (role and id): keys are per caller. */
  @PrimaryKey({ type: 'text' })
  scope: string;

  @PrimaryKey({ type: 'text' })
  key: string;

  @Property({ type: 'text' })
  operation: string;

  @Property({ type: 'text' })
  requestHash: string;

  /** Ids of what the first request returned. */
  @Property({ type: 'json', nullable: true })
  resultIds?: string[] | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  constructor(scope: string, key: string, operation: string, requestHash: string) {
    this.scope = scope;
    this.key = key;
    this.operation = operation;
    this.requestHash = requestHash;
  }
}

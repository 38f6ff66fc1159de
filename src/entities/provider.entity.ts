import { Check, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { ProviderKind, ProviderStatus } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { City } from './city.entity.js';

/** An organisation running clubs: a school, a state institution or a private provider, identified by BIN. */
@Entity({ tableName: 'provider' })
@Check({ name: 'provider_bin_format', expression: "bin ~ '^[0-9]{12}$'" })
// A rejection is always explained to the applicant.
@Check({ name: 'provider_rejected_reason', expression: "status <> 'REJECTED' or status_reason is not null" })
export class Provider {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'character', length: 12 })
  @Unique()
  bin: string;

  @Property({ type: 'text' })
  name: string;

  @Enum({ items: () => ProviderKind, type: 'text' })
  kind: ProviderKind;

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict', index: true })
  city: Ref<City>;

  /** Changed only through PROVIDER_TRANSITIONS. */
  @Enum({ items: () => ProviderStatus, type: 'text', default: ProviderStatus.PENDING })
  status: ProviderStatus = ProviderStatus.PENDING;

  @Property({ type: 'datetime', nullable: true })
  approvedAt?: Date | null = null;

  /** The operator's reason for the latest decision (approval, rejection, suspension, reinstatement). */
  @Property({ type: 'text', nullable: true })
  statusReason?: string | null = null;

  /** When the latest decision was taken. */
  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null = null;

  // What a provider files in applyAsProvider (providers registered by an operator may have none).
  @Property({ type: 'text', nullable: true })
  address?: string | null = null;

  @Property({ type: 'text', nullable: true })
  licenceReference?: string | null = null;

  @Property({ type: 'text', nullable: true })
  contactName?: string | null = null;

  @Property({ type: 'text', nullable: true })
  contactPhone?: string | null = null;

  @Property({ type: 'text', nullable: true })
  contactEmail?: string | null = null;

  /** When the provider last applied itself (null: registered by an operator). */
  @Property({ type: 'datetime', nullable: true })
  appliedAt?: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  constructor(bin: string, name: string, kind: ProviderKind, city: Ref<City>) {
    this.bin = bin;
    this.name = name;
    this.kind = kind;
    this.city = city;
  }
}

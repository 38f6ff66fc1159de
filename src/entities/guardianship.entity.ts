import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { ClaimStatus, PriorityCategory, Relationship } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Applicant } from './applicant.entity.js';
import { Child } from './child.entity.js';
import { City } from './city.entity.js';

/** What the population registry answered about a claim. */
export enum RegistryAnswer {
  CONFIRMED = 'CONFIRMED',
  DENIED = 'DENIED',
  /** The registry cannot tell (no record, a court-ordered guardianship it does not hold): an operator decides. */
  UNKNOWN = 'UNKNOWN',
}

/**
 * A family's claim to represent a child (a "link"), with the priority category it declared. A
 * claim counts only once VERIFIED, by the population registry or by the city's operator with a
 * document reference; any number of families may claim one child, at most one claim per child is
 * VERIFIED (a partial unique index), and a second claim on a linked child waits for an operator
 * instead of locking the first family (or the real one) out. A claim begins CLAIMED (here); its
 * decisions move it through CLAIM_TRANSITIONS (moveTo, in services/claim.service.ts).
 */
@Entity({ tableName: 'guardianship' })
@Unique({ name: 'guardianship_child_applicant_unique', properties: ['child', 'applicant'] })
@Index({
  name: 'guardianship_one_verified_per_child',
  expression: `create unique index "guardianship_one_verified_per_child" on "guardianship" ("child_id") where "status" = 'VERIFIED'`,
})
@Index({
  name: 'guardianship_registry_due',
  expression: `create index "guardianship_registry_due" on "guardianship" ("registry_due_at") where "registry_due_at" is not null`,
})
@Index({
  name: 'guardianship_open_cases',
  expression: `create index "guardianship_open_cases" on "guardianship" ("city_id", "id") where "status" = 'CLAIMED' or "category_status" = 'CLAIMED'`,
})
@Check({ name: 'guardianship_category_claimed_together', expression: '(claimed_category is null) = (category_status is null)' })
export class Guardianship {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Applicant, ref: true, deleteRule: 'restrict', index: true })
  applicant: Ref<Applicant>;

  @ManyToOne({ entity: () => Child, ref: true, deleteRule: 'restrict', index: true })
  child: Ref<Child>;

  @Enum({ items: () => Relationship, type: 'text' })
  relationship: Relationship;

  @Enum({ items: () => ClaimStatus, type: 'text', default: ClaimStatus.CLAIMED })
  status: ClaimStatus = ClaimStatus.CLAIMED;

  /** The child's name as this family gave it: what the family sees until the link is verified. */
  @Property({ type: 'text' })
  fullName: string;

  /** The priority category this family declared; it counts only once categoryStatus is VERIFIED. */
  @Enum({ items: () => PriorityCategory, type: 'text', nullable: true })
  claimedCategory: PriorityCategory | null = null;

  @Enum({ items: () => ClaimStatus, type: 'text', nullable: true })
  categoryStatus: ClaimStatus | null = null;

  /** The city whose operators handle this claim: given at registration, else the city of the family's first application. */
  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict', nullable: true })
  city: Ref<City> | null = null;

  /** The registry's last answer; null while it has not answered (not asked yet, or unreachable). */
  @Enum({ items: () => RegistryAnswer, type: 'text', nullable: true })
  registryAnswer: RegistryAnswer | null = null;

  @Property({ type: 'smallint', default: 0 })
  registryAttempts: number = 0;

  /** When the registry is to be asked (again); null once it has answered. */
  @Property({ type: 'datetime', nullable: true, defaultRaw: 'now()' })
  registryDueAt: Date | null = new Date();

  /** Who decided the link, and on what evidence (a document or registry reference). */
  @Property({ type: 'text', nullable: true })
  decidedBy: string | null = null;

  @Property({ type: 'text', nullable: true })
  evidenceReference: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  decidedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  categoryDecidedBy: string | null = null;

  @Property({ type: 'text', nullable: true })
  categoryEvidenceReference: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  categoryDecidedAt: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** A new claim, CLAIMED; with a declared priority category, that claim begins CLAIMED too. */
  constructor(applicant: Ref<Applicant>, child: Ref<Child>, relationship: Relationship, fullName: string, declaredCategory: PriorityCategory | null = null) {
    this.applicant = applicant;
    this.child = child;
    this.relationship = relationship;
    this.fullName = fullName;
    if (declaredCategory !== null && declaredCategory !== PriorityCategory.NONE) this.beginCategoryClaim(declaredCategory);
  }

  /**
   * A family declares a category on its existing link: a new category claim begins, CLAIMED,
   * replacing the one before whatever became of it (none yet, waiting, verified or rejected), and the
   * registry is asked about it from `askRegistryAt`. Not a move along CLAIM_TRANSITIONS: the start
   * of another claim, as a new link starts CLAIMED.
   */
  declareCategory(category: PriorityCategory, askRegistryAt: Date): void {
    this.beginCategoryClaim(category);
    this.registryDueAt = askRegistryAt;
  }

  /** The one place a category claim's status is set outside moveTo: its beginning, undecided. */
  private beginCategoryClaim(category: PriorityCategory): void {
    this.claimedCategory = category;
    this.categoryStatus = ClaimStatus.CLAIMED;
    this.categoryDecidedAt = null;
    this.categoryDecidedBy = null;
    this.categoryEvidenceReference = null;
  }
}

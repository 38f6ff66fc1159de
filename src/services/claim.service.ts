// Claims — a family's link to a child and the priority category it declared (the guardianship
// row) — are written only here: registered, declared, decided by the population registry or by an
// operator, with their audit entries and their effects on the queue, in the caller's transaction.
// VerificationService (operators' cases), ChildService (registration) and the background claim
// verifier all reach claims through the ClaimService createServices builds.
import { type EntityManager, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ApplicationStatus, ClaimStatus, PriorityCategory, type Relationship } from '../domain/enums.js';
import { CATEGORY_CLAIM_LIFECYCLE, LINK_CLAIM_LIFECYCLE } from '../domain/lifecycles.js';
import { type Applicant, Application, type Child, type City, Guardianship, RegistryAnswer } from '../entities/index.js';
import { conflict } from '../errors.js';
import type { IdentityRegistry, RegistryReply } from '../identity/registry.js';
import { EventKind, publishEvent } from '../realtime/publish.js';
import type { ApplicationService } from './application.service.js';
import { type Actor, recordAudit } from './audit.service.js';
import { allCityIds, citiesOfChild, setApplicationsPriority } from './claim.queries.js';
import { lockChildren, lockCityQueues } from './locks.js';
import { currentRules, rerank } from './rules.service.js';
import { moveTo } from './status-change.js';

/** The population registry, as an actor in the audit log. */
export const REGISTRY_ACTOR: Actor = { role: 'SYSTEM', id: 'population-registry' };

export interface Decision {
  actor: Actor;
  /** A document number, a court order, the registry's record reference: what the decision rests on. */
  evidenceReference: string;
  /** When it was decided (the decider's clock). */
  at: Date;
  reason?: string | null;
}

export interface NewClaim {
  applicant: Applicant;
  child: Child;
  relationship: Relationship;
  /** The child's name as this family gives it. */
  fullName: string;
  /** The city whose operators handle the case, if known. */
  city: City | null;
  /** A declared priority category, or null. */
  category: PriorityCategory | null;
}

export type VerifyOutcome = 'answered' | 'failed' | 'skipped';

const actorLabel = (actor: Actor) => `${actor.role}:${actor.id ?? ''}`;

/** Backoff between registry attempts: 30 s, 1 min, 2 min, … capped at an hour. */
function nextRegistryAttempt(attempts: number, now: Date): Date {
  return new Date(now.getTime() + Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000));
}

/** Whether the registry still has something to answer about the claim. */
function awaitsRegistry(claim: Guardianship): boolean {
  return claim.registryDueAt !== null && (claim.status === ClaimStatus.CLAIMED || claim.categoryStatus === ClaimStatus.CLAIMED);
}

/**
 * The owner of claims. Methods taking an EntityManager run in the caller's transaction; the
 * registry (when the operation has one) is asked outside any transaction.
 */
export class ClaimService {
  constructor(
    private readonly em: EntityManager,
    private readonly applications: ApplicationService,
    private readonly registry: IdentityRegistry | null,
    private readonly clock: Clock,
  ) {}

  /** Whether new claims are put to the registry at once (else the background verifier asks). */
  get asksRegistryAtOnce(): boolean {
    return this.registry !== null;
  }

  /** Records a family's new claim on a child, CLAIMED (and its declared category CLAIMED), with its audit entry. */
  claim(em: EntityManager, input: NewClaim, actor: Actor): Guardianship {
    const claim = new Guardianship(ref(input.applicant), ref(input.child), input.relationship, input.fullName, input.category);
    if (input.city) claim.city = ref(input.city);
    em.persist(claim);
    recordAudit(em, actor, {
      action: 'LINK_CLAIMED',
      entityType: 'ChildLink',
      entityId: claim.id,
      cityCode: input.city?.code ?? null,
      after: { status: claim.status, relationship: claim.relationship, claimedCategory: claim.claimedCategory },
    });
    return claim;
  }

  /** A claim's case goes to the first city the family names (later ones do not move it). */
  routeCase(claim: Guardianship, city: City): void {
    if (!claim.city) claim.city = ref(city);
  }

  /** A newly declared category on an existing claim: it waits for a decision (and the registry is asked again). */
  declareCategory(em: EntityManager, claim: Guardianship, category: PriorityCategory, actor: Actor, cityCode: string | null): void {
    const before = { status: claim.categoryStatus, category: claim.claimedCategory };
    claim.declareCategory(category, this.clock());
    recordAudit(em, actor, {
      action: 'PRIORITY_CATEGORY_CLAIMED',
      entityType: 'PriorityCategoryClaim',
      entityId: claim.id,
      cityCode,
      before,
      after: { status: ClaimStatus.CLAIMED, category },
    });
  }

  /**
   * Locks every claim on the child, so two decisions about one child (an operator and the registry,
   * two operators) are serialised; the partial unique index is the last line behind it.
   */
  async lockClaimsOfChild(em: EntityManager, childId: string): Promise<void> {
    await em.find(Guardianship, { child: childId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
  }

  /**
   * Verifies a link. If another family's link to the child is verified, only an operator may do
   * this, and that link is rejected in the same transaction (one verified representative per child).
   */
  async verifyLink(em: EntityManager, claim: Guardianship, decision: Decision): Promise<void> {
    await this.lockClaimsOfChild(em, claim.child.id);
    const current = await em.findOne(Guardianship, { child: claim.child.id, status: ClaimStatus.VERIFIED, id: { $ne: claim.id } });
    if (current) {
      await this.rejectLink(em, current, { ...decision, reason: decision.reason ?? `Replaced by the verified claim ${claim.id}.` });
      await em.flush(); // the partial unique index sees the old link leave before the new one arrives
    }
    await this.moveLink(em, claim, ClaimStatus.VERIFIED, decision);
    // The verified representative's spelling of the name is the child's from now on.
    const child = await claim.child.loadOrFail();
    child.fullName = claim.fullName;
    await em.flush();
  }

  /**
   * Rejects a link: the family loses access to the child, and its waiting applications for the
   * child leave the queue (CANCELLED). An outstanding offer must be answered or lapse first.
   */
  async rejectLink(em: EntityManager, claim: Guardianship, decision: Decision): Promise<void> {
    const applications = await em.find(
      Application,
      { child: claim.child.id, applicant: claim.applicant.id, status: { $in: [ApplicationStatus.QUEUED, ApplicationStatus.OFFERED] } },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (applications.some((a) => a.status === ApplicationStatus.OFFERED)) {
      throw conflict('This family has an outstanding offer for the child; it must be accepted, declined or lapse before the link can be rejected.');
    }
    await this.moveLink(em, claim, ClaimStatus.REJECTED, decision);
    for (const application of applications) {
      await this.applications.close(em, application, ApplicationStatus.CANCELLED, decision.actor, 'CANCELLED', 'The family’s link to the child was rejected.');
    }
  }

  /**
   * Verifies a declared category: it becomes the child's, and the child's applications are re-ranked
   * by it through the same path a new priority order takes (rules.service rerank). Their submission
   * time never changed, so each lands exactly where it would have been had the category counted from
   * the start; the owner and everyone it passes see PRIORITY_VERIFIED.
   */
  async verifyCategory(em: EntityManager, claim: Guardianship, decision: Decision): Promise<void> {
    await this.lockChildForCategory(em, claim.child.id);
    if (claim.status === ClaimStatus.REJECTED) throw conflict('This family’s link to the child was rejected; its declared category cannot be verified.');
    await this.moveCategory(em, claim, ClaimStatus.VERIFIED, decision);
    const child = await claim.child.loadOrFail();
    child.priorityCategory = claim.claimedCategory!;
    await em.flush();
    await this.rerankChild(em, child.id, child.priorityCategory);
  }

  async rejectCategory(em: EntityManager, claim: Guardianship, decision: Decision): Promise<void> {
    await this.lockChildForCategory(em, claim.child.id);
    const counted = claim.categoryStatus === ClaimStatus.VERIFIED;
    await this.moveCategory(em, claim, ClaimStatus.REJECTED, decision);
    // A category that never counted leaves the application where it is: at the ordinary rank.
    if (!counted) return;
    // One verified in error stops counting: the child keeps only a category another claim has
    // verified (else none), and its places are re-ranked the way a verification re-ranks them.
    await em.flush();
    const child = await claim.child.loadOrFail();
    const other = await em.findOne(
      Guardianship,
      { child: child.id, id: { $ne: claim.id }, categoryStatus: ClaimStatus.VERIFIED },
      { orderBy: { categoryDecidedAt: 'desc', id: 'desc' } },
    );
    const category = other?.claimedCategory ?? PriorityCategory.NONE;
    if (child.priorityCategory === category) return;
    child.priorityCategory = category;
    await em.flush();
    await this.rerankChild(em, child.id, category);
  }

  /**
   * A category decision is a queue write of the child: the queue lock of every city, shared (the
   * child may be applying in any of them; a rules change waits), then the child lock, the order of
   * locks.ts. An application of the child being submitted meanwhile (it holds the child lock while it
   * reads the child's category) is then either committed before the decision, which re-ranks it, or
   * submitted after it, with the decided category. Taken before any claim row; re-entrant.
   */
  async lockChildForCategory(em: EntityManager, childId: string): Promise<void> {
    const cities = await allCityIds.all(em, {});
    await lockCityQueues(em, cities.map((c) => c.id));
    await lockChildren(em, [childId]);
  }

  /**
   * Asks the registry about one claim and records the answer in its own transaction. The registry
   * call happens outside any transaction (it may take seconds); the claim is re-read under a row lock
   * afterwards, and an answer that arrives after someone else decided the claim is dropped. A failed
   * call is recorded on the claim (attempts, next try) and rethrown.
   */
  async askRegistry(claimId: string): Promise<VerifyOutcome> {
    const registry = this.registry;
    if (!registry) return 'skipped';
    const now = this.clock();
    const claim = await this.em.fork().findOne(Guardianship, { id: claimId }, { populate: ['child', 'applicant'] });
    if (!claim || !awaitsRegistry(claim)) return 'skipped';
    let reply: RegistryReply;
    try {
      reply = await registry.check({
        parentIin: claim.applicant.getEntity().iin,
        childIin: claim.child.getEntity().iin,
        relationship: claim.relationship,
        priorityCategory: claim.categoryStatus === ClaimStatus.CLAIMED ? claim.claimedCategory : null,
      });
    } catch (err) {
      await this.em.fork().transactional(async (tx) => {
        const locked = await tx.findOne(Guardianship, { id: claimId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!locked || !awaitsRegistry(locked)) return;
        locked.registryAttempts += 1;
        locked.registryDueAt = nextRegistryAttempt(locked.registryAttempts, now);
      });
      throw err;
    }
    return this.em.fork().transactional(async (tx) => {
      // A category answer re-ranks the child's places: the queue and child locks first (locks.ts order).
      if (reply.priorityCategory != null && claim.categoryStatus === ClaimStatus.CLAIMED) await this.lockChildForCategory(tx, claim.child.id);
      const locked = await tx.findOne(Guardianship, { id: claimId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!locked || !awaitsRegistry(locked)) return 'skipped';
      await this.applyRegistryReply(tx, locked, reply, now);
      return 'answered';
    });
  }

  /**
   * Records the registry's answer. A confirmed link is verified unless another family's link to the
   * child already is (then it waits for an operator: a case, never a lock-out); a denied one is
   * rejected; an unsure one waits for an operator. A category is decided only if the registry
   * answered for it.
   */
  private async applyRegistryReply(em: EntityManager, claim: Guardianship, reply: RegistryReply, now: Date): Promise<void> {
    claim.registryAnswer = reply.link;
    claim.registryDueAt = null;
    const decision: Decision = { actor: REGISTRY_ACTOR, evidenceReference: `registry:${reply.reference ?? reply.link.toLowerCase()}`, at: now };
    if (claim.status === ClaimStatus.CLAIMED) {
      if (reply.link === RegistryAnswer.DENIED) {
        await this.rejectLink(em, claim, { ...decision, reason: 'The population registry does not list this parent as the child’s representative.' });
      } else if (reply.link === RegistryAnswer.CONFIRMED) {
        await this.lockClaimsOfChild(em, claim.child.id);
        const other = await em.count(Guardianship, { child: claim.child.id, status: ClaimStatus.VERIFIED, id: { $ne: claim.id } });
        if (other === 0) await this.verifyLink(em, claim, decision);
      }
    }
    if (claim.categoryStatus === ClaimStatus.CLAIMED && claim.status !== ClaimStatus.REJECTED) {
      if (reply.priorityCategory === RegistryAnswer.CONFIRMED) await this.verifyCategory(em, claim, decision);
      else if (reply.priorityCategory === RegistryAnswer.DENIED) await this.rejectCategory(em, claim, decision);
    }
  }

  private async moveLink(em: EntityManager, claim: Guardianship, to: ClaimStatus, decision: Decision): Promise<void> {
    const city = claim.city ? await claim.city.loadOrFail() : null;
    await moveTo(em, claim, LINK_CLAIM_LIFECYCLE, to, {
      actor: decision.actor,
      action: to === ClaimStatus.VERIFIED ? 'LINK_VERIFIED' : 'LINK_REJECTED',
      cityCode: city?.code ?? null,
      after: { childId: claim.child.id, applicantId: claim.applicant.id, evidenceReference: decision.evidenceReference },
      reason: decision.reason ?? null,
    });
    claim.decidedBy = actorLabel(decision.actor);
    claim.evidenceReference = decision.evidenceReference;
    claim.decidedAt = decision.at;
    // A decided link is not asked about again (a still open category is an operator's).
    if (claim.categoryStatus !== ClaimStatus.CLAIMED) claim.registryDueAt = null;
  }

  private async moveCategory(em: EntityManager, claim: Guardianship, to: ClaimStatus, decision: Decision): Promise<void> {
    if (claim.categoryStatus === null || claim.claimedCategory === null) throw conflict('No priority category was declared on this claim.');
    const city = claim.city ? await claim.city.loadOrFail() : null;
    await moveTo(em, claim as Guardianship & { categoryStatus: ClaimStatus }, CATEGORY_CLAIM_LIFECYCLE, to, {
      actor: decision.actor,
      action: to === ClaimStatus.VERIFIED ? 'PRIORITY_CATEGORY_VERIFIED' : 'PRIORITY_CATEGORY_REJECTED',
      cityCode: city?.code ?? null,
      before: { category: claim.claimedCategory },
      after: { category: claim.claimedCategory, childId: claim.child.id, evidenceReference: decision.evidenceReference },
      reason: decision.reason ?? null,
    });
    claim.categoryDecidedBy = actorLabel(decision.actor);
    claim.categoryEvidenceReference = decision.evidenceReference;
    claim.categoryDecidedAt = decision.at;
    if (claim.status !== ClaimStatus.CLAIMED) claim.registryDueAt = null;
  }

  private async rerankChild(em: EntityManager, childId: string, category: PriorityCategory): Promise<void> {
    // A queue write: the queue lock of the child's cities, shared, before the rows (locks.ts), so a
    // rules change in flight cannot leave this rank computed from the old order.
    const cities = await citiesOfChild.all(em, { childId });
    await lockCityQueues(em, cities.map((c) => c.city_id));
    const rows = await setApplicationsPriority.all(em, {
      category,
      childId,
      statuses: [ApplicationStatus.QUEUED, ApplicationStatus.OFFERED, ApplicationStatus.CANCELLED],
    });
    for (const cityId of new Set(rows.map((r) => r.city_id))) {
      const rules = await currentRules(em, cityId);
      await rerank(em, cityId, rules.priorityOrder, childId);
    }
    for (const row of rows.filter((r) => r.status === ApplicationStatus.QUEUED)) {
      await publishEvent(em, { kind: EventKind.PRIORITY_VERIFIED, cityId: row.city_id, voucherType: row.voucher_type, payload: { applicationIds: [row.id] } });
    }
    // The raw update bypassed the identity map: later reads in this transaction must see the new rank.
    for (const row of rows) {
      const loaded = em.getUnitOfWork().getById<Application>(Application.name, row.id);
      if (loaded) await em.refresh(loaded);
    }
  }
}

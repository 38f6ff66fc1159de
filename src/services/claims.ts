// Deciding claims: the one place a link's or a priority category's status changes (CLAIM_TRANSITIONS),
// with its audit entry and its effects on the queue, in the caller's transaction. The registry's
// answers and operators' decisions both come through here.
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { ApplicationStatus, ClaimStatus, PriorityCategory } from '../domain/enums.js';
import { transition } from '../domain/lifecycle.js';
import { CLAIM_TRANSITIONS } from '../domain/lifecycles.js';
import { Application, Guardianship, RegistryAnswer } from '../entities/index.js';
import { conflict } from '../errors.js';
import type { RegistryReply } from '../identity/registry.js';
import { EventKind, publishEvent } from '../realtime/publish.js';
import { ApplicationService } from './application.service.js';
import { type Actor, recordAudit } from './audit.service.js';
import { CityService } from './city.service.js';
import { currentRules, rerank } from './rules.service.js';
import { lockChildren, lockCityQueues } from './locks.js';

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

const actorLabel = (actor: Actor) => `${actor.role}:${actor.id ?? ''}`;

/**
 * A category decision is a queue write of the child: the queue lock of every city, shared (the
 * child may be applying in any of them; a rules change waits), then the child lock, the order of
 * locks.ts. An application of the child being submitted meanwhile (it holds the child lock while it
 * reads the child's category) is then either committed before the decision, which re-ranks it, or
 * submitted after it, with the decided category. Taken before any claim row; re-entrant.
 */
export async function lockChildForCategory(em: EntityManager, childId: string): Promise<void> {
  const cities = await em.execute<{ id: string }[]>('select id from city order by id');
  await lockCityQueues(em, cities.map((c) => c.id));
  await lockChildren(em, [childId]);
}

/**
 * Locks every claim on the child, so two decisions about one child (an operator and the registry,
 * two operators) are serialised; the partial unique index is the last line behind it.
 */
export async function lockClaimsOfChild(em: EntityManager, childId: string): Promise<void> {
  await em.find(Guardianship, { child: childId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
}

async function moveLink(em: EntityManager, claim: Guardianship, to: ClaimStatus, decision: Decision): Promise<void> {
  const from = claim.status;
  claim.status = transition(CLAIM_TRANSITIONS, 'Link claim', from, to);
  claim.decidedBy = actorLabel(decision.actor);
  claim.evidenceReference = decision.evidenceReference;
  claim.decidedAt = decision.at;
  // A decided link is not asked about again (a still open category is an operator's).
  if (claim.categoryStatus !== ClaimStatus.CLAIMED) claim.registryDueAt = null;
  const city = claim.city ? await claim.city.loadOrFail() : null;
  recordAudit(em, decision.actor, {
    action: to === ClaimStatus.VERIFIED ? 'LINK_VERIFIED' : 'LINK_REJECTED',
    entityType: 'ChildLink',
    entityId: claim.id,
    cityCode: city?.code ?? null,
    before: { status: from },
    after: { status: to, childId: claim.child.id, applicantId: claim.applicant.id, evidenceReference: decision.evidenceReference },
    reason: decision.reason ?? null,
  });
}

/**
 * Verifies a link. If another family's link to the child is verified, only an operator may do
 * this, and that link is rejected in the same transaction (one verified representative per child).
 */
export async function verifyLink(em: EntityManager, claim: Guardianship, decision: Decision): Promise<void> {
  await lockClaimsOfChild(em, claim.child.id);
  const current = await em.findOne(Guardianship, { child: claim.child.id, status: ClaimStatus.VERIFIED, id: { $ne: claim.id } });
  if (current) {
    await rejectLink(em, current, { ...decision, reason: decision.reason ?? `Replaced by the verified claim ${claim.id}.` });
    await em.flush(); // the partial unique index sees the old link leave before the new one arrives
  }
  await moveLink(em, claim, ClaimStatus.VERIFIED, decision);
  // The verified representative's spelling of the name is the child's from now on.
  const child = await claim.child.loadOrFail();
  child.fullName = claim.fullName;
  await em.flush();
}

/**
 * Rejects a link: the family loses access to the child, and its waiting applications for the
 * child leave the queue (CANCELLED). An outstanding offer must be answered or lapse first.
 */
export async function rejectLink(em: EntityManager, claim: Guardianship, decision: Decision): Promise<void> {
  const applications = await em.find(
    Application,
    { child: claim.child.id, applicant: claim.applicant.id, status: { $in: [ApplicationStatus.QUEUED, ApplicationStatus.OFFERED] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (applications.some((a) => a.status === ApplicationStatus.OFFERED)) {
    throw conflict('This family has an outstanding offer for the child; it must be accepted, declined or lapse before the link can be rejected.');
  }
  await moveLink(em, claim, ClaimStatus.REJECTED, decision);
  const closer = new ApplicationService(em, new CityService(em), () => decision.at);
  for (const application of applications) {
    await closer.close(em, application, ApplicationStatus.CANCELLED, decision.actor, 'CANCELLED', 'The family’s link to the child was rejected.');
  }
}

async function moveCategory(em: EntityManager, claim: Guardianship, to: ClaimStatus, decision: Decision): Promise<void> {
  const from = claim.categoryStatus;
  if (from === null || claim.claimedCategory === null) throw conflict('No priority category was declared on this claim.');
  claim.categoryStatus = transition(CLAIM_TRANSITIONS, 'Priority category claim', from, to);
  claim.categoryDecidedBy = actorLabel(decision.actor);
  claim.categoryEvidenceReference = decision.evidenceReference;
  claim.categoryDecidedAt = decision.at;
  if (claim.status !== ClaimStatus.CLAIMED) claim.registryDueAt = null;
  const city = claim.city ? await claim.city.loadOrFail() : null;
  recordAudit(em, decision.actor, {
    action: to === ClaimStatus.VERIFIED ? 'PRIORITY_CATEGORY_VERIFIED' : 'PRIORITY_CATEGORY_REJECTED',
    entityType: 'PriorityCategoryClaim',
    entityId: claim.id,
    cityCode: city?.code ?? null,
    before: { status: from, category: claim.claimedCategory },
    after: { status: to, category: claim.claimedCategory, childId: claim.child.id, evidenceReference: decision.evidenceReference },
    reason: decision.reason ?? null,
  });
}

/**
 * Verifies a declared category: it becomes the child's, and the child's applications are re-ranked
 * by it through the same path a new priority order takes (rules.service rerank). Their submission
 * time never changed, so each lands exactly where it would have been had the category counted from
 * the start; the owner and everyone it passes see PRIORITY_VERIFIED.
 */
export async function verifyCategory(em: EntityManager, claim: Guardianship, decision: Decision): Promise<void> {
  await lockChildForCategory(em, claim.child.id);
  if (claim.status === ClaimStatus.REJECTED) throw conflict('This family’s link to the child was rejected; its declared category cannot be verified.');
  await moveCategory(em, claim, ClaimStatus.VERIFIED, decision);
  const child = await claim.child.loadOrFail();
  child.priorityCategory = claim.claimedCategory!;
  await em.flush();
  await rerankChild(em, child.id, child.priorityCategory);
}

export async function rejectCategory(em: EntityManager, claim: Guardianship, decision: Decision): Promise<void> {
  await lockChildForCategory(em, claim.child.id);
  const counted = claim.categoryStatus === ClaimStatus.VERIFIED;
  await moveCategory(em, claim, ClaimStatus.REJECTED, decision);
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
  await rerankChild(em, child.id, category);
}

async function rerankChild(em: EntityManager, childId: string, category: PriorityCategory): Promise<void> {
  // A queue write: the queue lock of the child's cities, shared, before the rows (locks.ts), so a
  // rules change in flight cannot leave this rank computed from the old order.
  const cities = await em.execute<{ city_id: string }[]>('select distinct city_id from application where child_id = ?', [childId]);
  await lockCityQueues(em, cities.map((c) => c.city_id));
  const rows = await em.execute<{ id: string; city_id: string; voucher_type: string; status: ApplicationStatus }[]>(
    `update application set priority_category = ? where child_id = ? and status in (?, ?, ?) returning id, city_id, voucher_type, status`,
    [category, childId, ApplicationStatus.QUEUED, ApplicationStatus.OFFERED, ApplicationStatus.CANCELLED],
  );
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

/** Backoff between registry attempts: 30 s, 1 min, 2 min, … capped at an hour. */
export function nextRegistryAttempt(attempts: number, now: Date): Date {
  return new Date(now.getTime() + Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000));
}

/**
 * Records the registry's answer. A confirmed link is verified unless another family's link to the
 * child already is (then it waits for an operator: a case, never a lock-out); a denied one is
 * rejected; an unsure one waits for an operator. A category is decided only if the registry
 * answered for it.
 */
export async function applyRegistryReply(em: EntityManager, claim: Guardianship, reply: RegistryReply, now: Date): Promise<void> {
  claim.registryAnswer = reply.link;
  claim.registryDueAt = null;
  const decision: Decision = { actor: REGISTRY_ACTOR, evidenceReference: `registry:${reply.reference ?? reply.link.toLowerCase()}`, at: now };
  if (claim.status === ClaimStatus.CLAIMED) {
    if (reply.link === RegistryAnswer.DENIED) {
      await rejectLink(em, claim, { ...decision, reason: 'The population registry does not list this parent as the child’s representative.' });
    } else if (reply.link === RegistryAnswer.CONFIRMED) {
      await lockClaimsOfChild(em, claim.child.id);
      const other = await em.count(Guardianship, { child: claim.child.id, status: ClaimStatus.VERIFIED, id: { $ne: claim.id } });
      if (other === 0) await verifyLink(em, claim, decision);
    }
  }
  if (claim.categoryStatus === ClaimStatus.CLAIMED && claim.status !== ClaimStatus.REJECTED) {
    if (reply.priorityCategory === RegistryAnswer.CONFIRMED) await verifyCategory(em, claim, decision);
    else if (reply.priorityCategory === RegistryAnswer.DENIED) await rejectCategory(em, claim, decision);
  }
}

/** Sets a newly declared category on a claim: it waits for a decision (and the registry is asked again). */
export function declareCategory(em: EntityManager, claim: Guardianship, category: PriorityCategory, actor: Actor, cityCode: string | null, now: Date): void {
  const before = { status: claim.categoryStatus, category: claim.claimedCategory };
  claim.claimedCategory = category;
  claim.categoryStatus = ClaimStatus.CLAIMED;
  claim.categoryDecidedAt = null;
  claim.categoryDecidedBy = null;
  claim.categoryEvidenceReference = null;
  claim.registryDueAt = now;
  recordAudit(em, actor, {
    action: 'PRIORITY_CATEGORY_CLAIMED',
    entityType: 'PriorityCategoryClaim',
    entityId: claim.id,
    cityCode,
    before,
    after: { status: ClaimStatus.CLAIMED, category },
  });
}


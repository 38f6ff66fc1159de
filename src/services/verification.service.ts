import { type EntityManager, type FilterQuery, LockMode } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ClaimStatus, type PriorityCategory, type Relationship, Role } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { Guardianship, RegistryAnswer } from '../entities/index.js';
import { badInput, conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireRole } from './access.js';
import { actorOf } from './audit.service.js';
import type { CityService } from './city.service.js';
import { caseCompetition, childOfClaim } from './claim.queries.js';
import type { ClaimService, Decision } from './claim.service.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { requireText } from './validate.js';
import { inTransaction } from './transaction.js';

export enum ClaimDecision {
  VERIFY = 'VERIFY',
  REJECT = 'REJECT',
}

/** Why a claim is on an operator's list. */
export enum VerificationReason {
  /** Another family claims the same child (its link verified, or also waiting). */
  CONTESTED = 'CONTESTED',
  /** The registry answered that it cannot tell. */
  REGISTRY_UNSURE = 'REGISTRY_UNSURE',
  /** The registry could not be reached; it is asked again, and an operator may decide meanwhile. */
  REGISTRY_UNAVAILABLE = 'REGISTRY_UNAVAILABLE',
  /** The registry has not been asked yet. */
  AWAITING_REGISTRY = 'AWAITING_REGISTRY',
  /** The link is decided; a declared priority category waits for its evidence. */
  PRIORITY_CATEGORY = 'PRIORITY_CATEGORY',
}

export interface VerificationCaseFilter {
  city?: string | null;
  childIin?: string | null;
}

export interface DecideClaimInput {
  caseId: string;
  decision: ClaimDecision;
  evidenceReference: string;
  note?: string | null;
}

/** A claim as an operator's case: the claim, the people in it, and the other claims on the same child. */
export interface VerificationCase {
  id: string;
  city: string | null;
  reason: VerificationReason;
  linkStatus: ClaimStatus;
  relationship: Relationship;
  childIin: string;
  childFullName: string;
  childBirthDate: string;
  claimantIin: string;
  claimantFullName: string;
  claimantPhone: string;
  declaredPriorityCategory: PriorityCategory | null;
  priorityCategoryStatus: ClaimStatus | null;
  otherClaims: number;
  childHasOtherVerifiedLink: boolean;
  registryAnswer: RegistryAnswer | null;
  registryAttempts: number;
  decidedBy: string | null;
  evidenceReference: string | null;
  decidedAt: Date | null;
  priorityCategoryDecidedBy: string | null;
  priorityCategoryEvidenceReference: string | null;
  priorityCategoryDecidedAt: Date | null;
  createdAt: Date;
}

/**
 * The operators' verification work: every claim (a link or a declared priority category) still
 * waiting for a decision, in its city, and the decisions on them (made by ClaimService). Responsible for auth checks: an
 * OPERATOR sees and decides its own city's cases, an ADMIN any (including claims with no city
 * yet: a family that registered a child without a city and has not applied anywhere).
 */
export class VerificationService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly claims: ClaimService,
    private readonly clock: Clock,
  ) {}

  async cases(viewer: Viewer, filter: VerificationCaseFilter = {}, pageArgs: PageArgs = {}): Promise<Page<VerificationCase>> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const { limit, afterId } = readPageArgs(pageArgs);
    if (viewer.role === Role.OPERATOR && filter.city && filter.city.trim().toUpperCase() !== viewer.cityCode) {
      throw forbidden(`Operators of ${viewer.cityCode} see their own city's cases.`);
    }
    const cityCode = viewer.role === Role.OPERATOR ? viewer.cityCode : filter.city;
    const where: FilterQuery<Guardianship>[] = [
      { $or: [{ status: ClaimStatus.CLAIMED }, { categoryStatus: ClaimStatus.CLAIMED, status: { $ne: ClaimStatus.REJECTED } }] },
    ];
    if (cityCode) where.push({ city: (await this.cities.byCode(cityCode, 'filter.city')).id });
    if (filter.childIin != null) {
      if (!/^\d{12}$/.test(filter.childIin.trim())) throw badInput('filter.childIin', 'An IIN is 12 digits.');
      where.push({ child: { iin: filter.childIin.trim() } });
    }
    const rows = await this.em.find(
      Guardianship,
      { $and: [...where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] },
      { orderBy: { id: 'asc' }, limit: limit + 1, populate: ['child', 'applicant', 'city'] },
    );
    return toPage(await this.asCases(rows), limit, () => this.em.count(Guardianship, { $and: where }));
  }

  async decideLink(viewer: Viewer, input: DecideClaimInput): Promise<VerificationCase> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const decision = this.decisionOf(viewer, input);
    // A verification re-ranks the child's places, so it meets queue writers: retried like them.
    const decided = await inTransaction(this.em, async (em) => {
      const claim = await this.lockCase(em, viewer, input.caseId);
      if (input.decision === ClaimDecision.VERIFY) {
        if (claim.status !== ClaimStatus.CLAIMED) throw conflict(`This link is already ${claim.status}.`, { from: claim.status, to: ClaimStatus.VERIFIED });
        await this.claims.verifyLink(em, claim, decision);
      } else {
        await this.claims.rejectLink(em, claim, decision);
      }
      return claim;
    });
    return (await this.asCases([decided]))[0]!;
  }

  async decidePriorityCategory(viewer: Viewer, input: DecideClaimInput): Promise<VerificationCase> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const decision = this.decisionOf(viewer, input);
    // A verification re-ranks the child's places, so it meets queue writers: retried like them.
    const decided = await inTransaction(this.em, async (em) => {
      // The queue and child locks before the claim's row (locks.ts order): see lockChildForCategory.
      const owner = isUuid(input.caseId) ? await childOfClaim.first(em, { claimId: input.caseId }) : undefined;
      if (owner) await this.claims.lockChildForCategory(em, owner.child_id);
      const claim = await this.lockCase(em, viewer, input.caseId);
      if (input.decision === ClaimDecision.VERIFY) await this.claims.verifyCategory(em, claim, decision);
      else await this.claims.rejectCategory(em, claim, decision);
      return claim;
    });
    return (await this.asCases([decided]))[0]!;
  }

  private decisionOf(viewer: Viewer, input: DecideClaimInput): Decision {
    const evidenceReference = requireText(input.evidenceReference ?? '', 'input.evidenceReference', { min: 2, max: 200 });
    const note = input.note == null ? null : requireText(input.note, 'input.note', { min: 1, max: 1000 });
    if (!Object.values(ClaimDecision).includes(input.decision)) throw badInput('input.decision', 'decision is VERIFY or REJECT.');
    return { actor: actorOf(viewer), evidenceReference, reason: note, at: this.clock() };
  }

  /** The case under a row lock; NOT_FOUND for another city's (an operator learns nothing of it). */
  private async lockCase(em: EntityManager, viewer: Viewer, caseId: string): Promise<Guardianship> {
    const claim = isUuid(caseId) ? await em.findOne(Guardianship, { id: caseId }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (claim) await em.populate(claim, ['child', 'applicant', 'city']);
    if (!claim || (viewer.role === Role.OPERATOR && claim.city?.getEntity().code !== viewer.cityCode)) throw notFound('VerificationCase', caseId);
    return claim;
  }

  /** Claims as cases, with the other claims on each child counted for the whole page in one statement. */
  private async asCases(claims: Guardianship[]): Promise<VerificationCase[]> {
    if (claims.length === 0) return [];
    const rows = await caseCompetition.all(this.em, { ids: claims.map((c) => c.id) });
    const competition = new Map(rows.map((r) => [r.id, { otherClaims: r.other_claims, childHasOtherVerifiedLink: r.other_verified }]));
    return claims.map((claim) => {
      const { otherClaims, childHasOtherVerifiedLink } = competition.get(claim.id) ?? { otherClaims: 0, childHasOtherVerifiedLink: false };
      const child = claim.child.getEntity();
      const applicant = claim.applicant.getEntity();
      return {
        id: claim.id,
        city: claim.city?.getEntity().code ?? null,
        reason: reasonOf(claim, otherClaims),
        linkStatus: claim.status,
        relationship: claim.relationship,
        childIin: child.iin,
        childFullName: claim.fullName,
        childBirthDate: child.birthDate,
        claimantIin: applicant.iin,
        claimantFullName: applicant.fullName,
        claimantPhone: applicant.phone,
        declaredPriorityCategory: claim.claimedCategory,
        priorityCategoryStatus: claim.categoryStatus,
        otherClaims,
        childHasOtherVerifiedLink,
        registryAnswer: claim.registryAnswer,
        registryAttempts: claim.registryAttempts,
        decidedBy: claim.decidedBy,
        evidenceReference: claim.evidenceReference,
        decidedAt: claim.decidedAt,
        priorityCategoryDecidedBy: claim.categoryDecidedBy,
        priorityCategoryEvidenceReference: claim.categoryEvidenceReference,
        priorityCategoryDecidedAt: claim.categoryDecidedAt,
        createdAt: claim.createdAt,
      };
    });
  }
}

function reasonOf(claim: Guardianship, otherClaims: number): VerificationReason {
  if (claim.status !== ClaimStatus.CLAIMED) return VerificationReason.PRIORITY_CATEGORY;
  if (otherClaims > 0) return VerificationReason.CONTESTED;
  if (claim.registryAnswer === RegistryAnswer.UNKNOWN) return VerificationReason.REGISTRY_UNSURE;
  if (claim.registryAnswer === null && claim.registryAttempts > 0) return VerificationReason.REGISTRY_UNAVAILABLE;
  if (claim.registryAnswer === null) return VerificationReason.AWAITING_REGISTRY;
  // Confirmed while another family's link was verified (since rejected): a decision for a person.
  return VerificationReason.CONTESTED;
}

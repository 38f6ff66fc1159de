import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ageOn } from '../domain/calendar.js';
import { ClaimStatus, Language, PriorityCategory, Relationship, Role } from '../domain/enums.js';
import { normalizePhone, parseIin } from '../domain/kazakh-ids.js';
import type { Viewer, ViewerOf } from '../auth/viewer.js';
import { Applicant, Application, Child, Guardianship } from '../entities/index.js';
import { badInput, conflict, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireRole } from './access.js';
import { actorOf } from './audit.service.js';
import type { CityService } from './city.service.js';
import type { ClaimService } from './claim.service.js';
import { requireText } from './validate.js';

export interface ApplicantProfileInput {
  fullName: string;
  phone: string;
  language: Language;
}

export interface RegisterChildInput {
  iin: string;
  fullName: string;
  relationship: Relationship;
  /** If given, must agree with the date the IIN encodes. */
  birthDate?: string | null;
  priorityCategory?: PriorityCategory | null;
  /** The city whose operators verify the claim if the registry cannot; else the city of the first application. */
  city?: string | null;
  /** Needed on a parent's first registration when their token carries no name and phone. */
  parent?: ApplicantProfileInput | null;
}

/** The programme is for school-age children; an IIN of someone 18 or older is not a child's. */
const ADULT_AGE = 18;

/**
 * A child as one family sees it through a link that does not count (yet, or any more): only what
 * the family itself declared and what the IIN encodes. Nothing of the child's record that another
 * family may have created — its name, verified category, applications, voucher, sessions — shows
 * through it, so a claim on a child registered elsewhere looks exactly like one on a new child.
 */
export class ClaimedChild {
  readonly id: string;
  readonly iin: string;
  readonly fullName: string;
  readonly birthDate: string;
  readonly sex: Child['sex'];
  /** What counts in the queue through this link: nothing until it is verified. */
  readonly priorityCategory = PriorityCategory.NONE;
  readonly createdAt: Date;

  constructor(
    readonly claim: Guardianship,
    child: Child,
  ) {
    this.id = child.id;
    this.iin = child.iin;
    this.fullName = claim.fullName;
    this.birthDate = child.birthDate;
    this.sex = child.sex;
    this.createdAt = claim.createdAt;
  }
}

/** What a family sees of a child: the record itself through a verified link, its own claim otherwise. */
export type ChildAsSeen = Child | ClaimedChild;

/** Children and their legal representatives. Responsible for auth checks: a parent sees only their own children. */
export class ChildService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly claims: ClaimService,
    private readonly clock: Clock,
  ) {}

  /** Every child the parent claimed, in the order claimed; REJECTED claims stay visible (as the family's own declaration) so the family learns the outcome. */
  async myChildren(viewer: Viewer): Promise<ChildAsSeen[]> {
    requireRole(viewer, Role.PARENT);
    const links = await this.em.find(Guardianship, { applicant: { iin: viewer.iin } }, { populate: ['child'], orderBy: { id: 'asc' } });
    return links.map(asSeen);
  }

  /** A child the viewer claimed (or any child, for an admin); NOT_FOUND otherwise, so existence never leaks. */
  async get(viewer: Viewer, id: string): Promise<ChildAsSeen> {
    requireRole(viewer, Role.PARENT, Role.ADMIN);
    if (!isUuid(id)) throw notFound('Child', id);
    if (viewer.role === Role.ADMIN) {
      const child = await this.em.findOne(Child, { id });
      if (!child) throw notFound('Child', id);
      return child;
    }
    const link = await this.em.findOne(Guardianship, { child: id, applicant: { iin: viewer.iin } }, { populate: ['child'] });
    if (!link) throw notFound('Child', id);
    return asSeen(link);
  }

  /** The signed-in parent's own claim on a child, or null (other roles, or no claim). */
  async linkOf(viewer: Viewer, child: ChildAsSeen): Promise<Guardianship | null> {
    if (child instanceof ClaimedChild) return child.claim;
    if (viewer.role !== Role.PARENT) return null;
    return this.em.findOne(Guardianship, { child: child.id, applicant: { iin: viewer.iin } });
  }

  /**
   * A child reached through another record (an application): a parent sees it through their own
   * link, so a family whose link is unverified or was rejected sees only its own declaration.
   */
  async seenBy(viewer: Viewer, child: Child): Promise<ChildAsSeen> {
    if (viewer.role !== Role.PARENT) return child;
    const link = await this.em.findOne(Guardianship, { child: child.id, applicant: { iin: viewer.iin } });
    return !link || link.status === ClaimStatus.VERIFIED ? child : new ClaimedChild(link, child);
  }

  /** Through a claim that does not count, a family sees only its own applications for the child. */
  async applicationsSeen(child: ClaimedChild): Promise<Application[]> {
    return this.em.find(Application, { child: child.id, applicant: child.claim.applicant.id }, { orderBy: { id: 'asc' } });
  }

  /**
   * Records the signed-in parent's claim to represent a child, creating the parent's applicant
   * record on first use. Idempotent for the same parent. The answer is always the claim as
   * recorded, before the registry is asked: whether another family registered the child first
   * must not show (no existence oracle), so a new child and a child registered elsewhere get the
   * same answer. A second family's claim never fails: it waits for the registry or an operator.
   */
  async register(viewer: Viewer, input: RegisterChildInput): Promise<ChildAsSeen> {
    requireRole(viewer, Role.PARENT);
    const iin = input.iin.trim();
    const parsed = parseIin(iin);
    if (!parsed.ok) throw badInput('input.iin', parsed.message);
    if (iin === viewer.iin) throw badInput('input.iin', 'This is your own IIN; enter the child’s.');
    if (ageOn(parsed.facts.birthDate, this.clock()) >= ADULT_AGE) throw badInput('input.iin', 'This IIN belongs to an adult, not a child.');
    if (input.birthDate && input.birthDate !== parsed.facts.birthDate) {
      throw badInput('input.birthDate', `The IIN encodes the birth date ${parsed.facts.birthDate}, not ${input.birthDate}.`);
    }
    const fullName = requireText(input.fullName, 'input.fullName', { min: 2, max: 200 });
    const city = input.city ? await this.cities.byCode(input.city, 'input.city') : null;
    const category = input.priorityCategory ?? PriorityCategory.NONE;

    // A parallel registration (this parent's other tab, or another family) can win a unique
    // constraint between our read and our insert; one retry sees its result and answers from it.
    for (let attempt = 1; ; attempt++) {
      try {
        const { seen, newClaim } = await this.em.transactional(async (em) => {
          const applicant = (await em.findOne(Applicant, { iin: viewer.iin })) ?? newApplicant(viewer, input.parent);
          const existingChild = await em.findOne(Child, { iin });
          // By IIN, not id: on a retry our own applicant may be the one a parallel request just saved.
          const own = existingChild ? await em.findOne(Guardianship, { child: existingChild.id, applicant: { iin: viewer.iin } }, { populate: ['child'] }) : null;
          if (own) {
            if (city) this.claims.routeCase(own, city);
            if (category !== PriorityCategory.NONE && (category !== own.claimedCategory || own.categoryStatus === ClaimStatus.REJECTED)) {
              const code = own.city ? (await own.city.loadOrFail()).code : null;
              this.claims.declareCategory(em, own, category, actorOf(viewer), code);
            }
            return { seen: asSeen(own), newClaim: own.registryDueAt ? own.id : null };
          }
          const child = existingChild ?? new Child(iin, fullName, parsed.facts.birthDate, parsed.facts.sex);
          // The case goes to the city the family names, else to the city where the child is queued
          // (never shown in the answer: it would tell that the child is known).
          const queuedIn = city || !existingChild ? null : await em.findOne(Application, { child: existingChild.id }, { orderBy: { id: 'desc' }, populate: ['city'] });
          const caseCity = city ?? queuedIn?.city.getEntity() ?? null;
          em.persist([applicant, child]);
          const claim = this.claims.claim(
            em,
            { applicant, child, relationship: input.relationship, fullName, city: caseCity, category: category === PriorityCategory.NONE ? null : category },
            actorOf(viewer),
          );
          return { seen: new ClaimedChild(claim, child), newClaim: claim.id };
        });
        if (newClaim && this.claims.asksRegistryAtOnce) await this.askRegistry(newClaim);
        return seen;
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err;
        if (attempt >= 2) throw conflict('Another registration of this child by you is in progress; try again in a moment.');
      }
    }
  }

  /**
   * Asks the registry at once, after the claim committed. A failure is recorded on the claim and
   * retried by the claim verifier; it never changes this request's answer.
   */
  private async askRegistry(claimId: string): Promise<void> {
    try {
      await this.claims.askRegistry(claimId);
    } catch {
      // Recorded on the claim (attempts, next try); the background verifier logs and retries it.
    }
  }
}

function asSeen(link: Guardianship): ChildAsSeen {
  const child = link.child.getEntity();
  return link.status === ClaimStatus.VERIFIED ? child : new ClaimedChild(link, child);
}

function newApplicant(viewer: ViewerOf<Role.PARENT>, profile: ApplicantProfileInput | null | undefined): Applicant {
  const fullName = profile?.fullName ?? viewer.name;
  const rawPhone = profile?.phone ?? viewer.phone;
  if (!fullName) throw badInput('input.parent.fullName', 'On your first registration give your full name (input.parent).');
  if (!rawPhone) throw badInput('input.parent.phone', 'On your first registration give your phone number (input.parent): SMS notices go there.');
  const phone = normalizePhone(rawPhone);
  if (!phone) throw badInput('input.parent.phone', 'Phone numbers are Kazakh numbers in +7 format, e.g. +7 701 234 56 78.');
  const name = requireText(fullName, 'input.parent.fullName', { min: 2, max: 200 });
  return new Applicant(viewer.iin, name, phone, profile?.language ?? Language.KK);
}


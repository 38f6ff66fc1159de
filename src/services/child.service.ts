import { type EntityManager, ref, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Language, PriorityCategory, Relationship, Role } from '../domain/enums.js';
import { normalizePhone, parseIin } from '../domain/kazakh-ids.js';
import type { Viewer, ViewerOf } from '../auth/viewer.js';
import { Applicant, Child, Guardianship } from '../entities/index.js';
import { badInput, conflict, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireRole } from './access.js';
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
  /** Needed on a parent's first registration when their token carries no name and phone. */
  parent?: ApplicantProfileInput | null;
}

/** The programme is for school-age children; an IIN of someone 18 or older is not a child's. */
const ADULT_AGE = 18;

/** Children and their legal representatives. Responsible for auth checks: a parent sees only their own children. */
export class ChildService {
  constructor(private readonly em: EntityManager) {}

  async myChildren(viewer: Viewer): Promise<Child[]> {
    requireRole(viewer, Role.PARENT);
    const links = await this.em.find(Guardianship, { applicant: { iin: viewer.iin } }, { populate: ['child'], orderBy: { child: 'asc' } });
    return links.map((link) => link.child.getEntity());
  }

  /** A child the viewer represents (or any child, for an admin); NOT_FOUND otherwise, so existence never leaks. */
  async get(viewer: Viewer, id: string): Promise<Child> {
    requireRole(viewer, Role.PARENT, Role.ADMIN);
    const child = !isUuid(id)
      ? null
      : viewer.role === Role.ADMIN
        ? await this.em.findOne(Child, { id })
        : (await this.em.findOne(Guardianship, { child: id, applicant: { iin: viewer.iin } }, { populate: ['child'] }))?.child.getEntity();
    if (!child) throw notFound('Child', id);
    return child;
  }

  /** Links a child to the signed-in parent, creating the parent's applicant record on first use. Idempotent for the same parent. */
  async register(viewer: Viewer, input: RegisterChildInput): Promise<Child> {
    requireRole(viewer, Role.PARENT);
    const iin = input.iin.trim();
    const parsed = parseIin(iin);
    if (!parsed.ok) throw badInput('input.iin', parsed.message);
    if (iin === viewer.iin) throw badInput('input.iin', 'This is your own IIN; enter the child’s.');
    if (ageOn(parsed.facts.birthDate, new Date()) >= ADULT_AGE) throw badInput('input.iin', 'This IIN belongs to an adult, not a child.');
    if (input.birthDate && input.birthDate !== parsed.facts.birthDate) {
      throw badInput('input.birthDate', `The IIN encodes the birth date ${parsed.facts.birthDate}, not ${input.birthDate}.`);
    }
    const fullName = requireText(input.fullName, 'input.fullName', { min: 2, max: 200 });

    // A parallel registration (this parent's other tab, or another family) can win a unique
    // constraint between our read and our insert; one retry sees its result and answers from it.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.em.transactional(async (em) => {
          const applicant = (await em.findOne(Applicant, { iin: viewer.iin })) ?? newApplicant(viewer, input.parent);
          const existing = await em.findOne(Guardianship, { child: { iin } }, { populate: ['child', 'applicant'] });
          if (existing) {
            // By IIN, not id: on a retry our own applicant may be the one a parallel request just saved.
            if (existing.applicant.getEntity().iin === viewer.iin) return existing.child.getEntity();
            throw alreadyRepresented();
          }
          const child = new Child(iin, fullName, parsed.facts.birthDate, parsed.facts.sex);
          child.priorityCategory = input.priorityCategory ?? PriorityCategory.NONE;
          em.persist([applicant, child, new Guardianship(ref(applicant), ref(child), input.relationship)]);
          return child;
        });
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err;
        if (attempt >= 2) throw alreadyRepresented();
      }
    }
  }
}

const alreadyRepresented = () =>
  conflict('This child is already registered by another legal representative. Please contact your city’s education department.');

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

/** Whole years between a YYYY-MM-DD birth date and `on`. */
export function ageOn(birthDate: string, on: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = on.getUTCFullYear() - y;
  if (on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d)) age -= 1;
  return age;
}

import { Role } from '../domain/enums.js';
import type { Application, Attendance, AuditEvent, Child, Enrollment, Offer, PaymentLine, Voucher } from '../entities/index.js';
import { ClaimedChild } from '../services/child.service.js';
import type { VerificationCase } from '../services/verification.service.js';
import type { ProviderApplicationRecord } from '../schema/provider.type.js';

/**
 * Who sees what: the one access policy for personal data (README "Who sees what").
 *
 * One row per GraphQL type that holds or leads to personal data. For each role a row says which
 * records the role may see (`records`: a scope) and which fields of those records (`fields`). The
 * guard (privacy-guard.ts) applies it to every field of the schema at build time, so a root field,
 * a nested edge, a mutation payload and a subscription payload obey the same row, and the CSV
 * export asks the same guard. A role missing from a row sees no record of that type.
 *
 * A new type with personal data is a new row; a new field is hidden from every role whose
 * `fields` is a list until it is added there (and the schema-walk test fails on a field that looks
 * like a personal identifier but is in no row's `identifiers`).
 */

/** Which records of a type a role may see. */
export type Scope =
  /** Records of the children the caller represents (PARENT). */
  | 'family'
  /** Records tied to the caller's own provider's programs (PROVIDER). */
  | 'provider'
  /** Records of the caller's own city (OPERATOR). */
  | 'city'
  /** Every record. */
  | 'all';

export interface RoleAccess<T = any> {
  records: Scope;
  /** Fields the role may read on those records; `'*'` is every field. Any other field is hidden. */
  fields: '*' | readonly string[];
  /** Visible fields that are hidden on some records after all (e.g. an audit actor who is a parent). */
  hiddenWhen?: Readonly<Record<string, (record: T) => boolean>>;
  /** JSON fields shown with every personal-looking key removed (free-form audit payloads). */
  scrubbed?: readonly string[];
}

/** Facts a scope predicate may ask about the caller, batched per request by the guard. */
export interface ScopeFacts {
  /** The caller (PARENT) represents this child: a VERIFIED link (a claim alone shows nothing of the child's record). */
  representsChild(childId: string): Promise<boolean>;
  /** The applicant record is the caller's own (PARENT): their own claims and applications, verified or not. */
  ownApplicant(applicantId: string): Promise<boolean>;
  /** The child has (or had) an enrollment in one of the caller's (PROVIDER) programs. */
  childAtOwnProvider(childId: string): Promise<boolean>;
  /** The voucher has (or had) an enrollment in one of the caller's (PROVIDER) programs. */
  voucherAtOwnProvider(voucherId: string): Promise<boolean>;
  /** The program belongs to the caller's (PROVIDER) provider. */
  ownProgram(programId: string): Promise<boolean>;
  ownProvider(providerId: string): Promise<boolean>;
  /** The child has an application in the caller's (OPERATOR) city. */
  childInOwnCity(childId: string): Promise<boolean>;
  ownCity(cityId: string): Promise<boolean>;
  ownCityCode(cityCode: string | null | undefined): Promise<boolean>;
  programInOwnCity(programId: string): Promise<boolean>;
  application(id: string): Promise<Application>;
  voucher(id: string): Promise<Voucher>;
  enrollment(id: string): Promise<Enrollment>;
  payment(id: string): Promise<{ provider: { id: string }; city: { id: string } }>;
}

type Predicate<T> = (record: T, facts: ScopeFacts) => Promise<boolean>;

export interface TypePolicy<T = any> {
  /** Fields that identify a person directly: never shown to AGENCY, and each needs a decision here. */
  identifiers: readonly string[];
  /** How each scope is decided for a record of this type (only the scopes some role uses). */
  scopes: Partial<Record<Exclude<Scope, 'all'>, Predicate<T>>>;
  roles: Partial<Record<Role, RoleAccess<T>>>;
}

const ALL = '*' as const;
const actorIsParent = (event: AuditEvent) => event.actorRole === Role.PARENT;

/** What a family sees of its own claim before it is verified: only what it declared (child.service.ts). */
const isClaimView = (child: Child | ClaimedChild): child is ClaimedChild => child instanceof ClaimedChild;
/** A family's own application (its claim's), or any application of a child it verifiably represents. */
const familyApplication = async (a: Application, f: ScopeFacts) => (await f.ownApplicant(a.applicant.id)) || f.representsChild(a.child.id);

const childOfVoucher = async (voucherId: string, f: ScopeFacts) => (await f.voucher(voucherId)).child.id;
const voucherOfEnrollment = async (enrollmentId: string, f: ScopeFacts) => (await f.enrollment(enrollmentId)).voucher.id;

export const PRIVACY_POLICY = {
  Child: {
    identifiers: ['iin', 'fullName', 'birthDate'],
    scopes: {
      family: (c, f) => (isClaimView(c) ? f.ownApplicant(c.claim.applicant.id) : f.representsChild(c.id)),
      provider: (c, f) => f.childAtOwnProvider(c.id),
      city: (c, f) => f.childInOwnCity(c.id),
    },
    roles: {
      [Role.PARENT]: { records: 'family', fields: ALL },
      // A roster: who the child is and how old, nothing more.
      [Role.PROVIDER]: { records: 'provider', fields: ['id', 'fullName', 'age', 'attendances'] },
      [Role.OPERATOR]: { records: 'city', fields: ['id', 'fullName', 'birthDate', 'age', 'sex', 'priorityCategory', 'createdAt', 'voucher', 'applications', 'attendances'] },
      [Role.AGENCY]: { records: 'all', fields: ['id', 'age', 'sex', 'priorityCategory', 'createdAt', 'voucher', 'applications', 'attendances'] },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<Child | ClaimedChild>,

  Application: {
    identifiers: [],
    scopes: {
      family: familyApplication,
      city: (a, f) => f.ownCity(a.city.id),
    },
    roles: {
      [Role.PARENT]: { records: 'family', fields: ALL },
      [Role.OPERATOR]: { records: 'city', fields: ALL },
      [Role.AGENCY]: { records: 'all', fields: ALL },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<Application>,

  Offer: {
    identifiers: [],
    scopes: {
      family: async (o, f) => familyApplication(await f.application(o.application.id), f),
      city: async (o, f) => f.ownCity((await f.application(o.application.id)).city.id),
    },
    roles: {
      [Role.PARENT]: { records: 'family', fields: ALL },
      [Role.OPERATOR]: { records: 'city', fields: ALL },
      [Role.AGENCY]: { records: 'all', fields: ALL },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<Offer>,

  Voucher: {
    identifiers: [],
    scopes: {
      family: (v, f) => f.representsChild(v.child.id),
      provider: (v, f) => f.voucherAtOwnProvider(v.id),
      city: (v, f) => f.ownCity(v.city.id),
    },
    roles: {
      [Role.PARENT]: { records: 'family', fields: ALL },
      // The operator's free-text reason for a suspension is not the provider's business.
      [Role.PROVIDER]: { records: 'provider', fields: ['id', 'type', 'status', 'createdAt', 'city', 'child', 'enrollment', 'enrollments'] },
      [Role.OPERATOR]: { records: 'city', fields: ALL },
      [Role.AGENCY]: { records: 'all', fields: ['id', 'type', 'status', 'createdAt', 'city', 'child', 'enrollment', 'enrollments'] },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<Voucher>,

  Enrollment: {
    identifiers: [],
    scopes: {
      family: async (e, f) => f.representsChild(await childOfVoucher(e.voucher.id, f)),
      // Only its own programs' enrollments: a child's clubs elsewhere stay invisible to a provider.
      // This is the provider's roster (Program.enrollments, myRoster): the enrollment in full, and
      // of the child only what the Child row grants a provider (name and age).
      provider: (e, f) => f.ownProgram(e.program.id),
      city: async (e, f) => f.ownCity((await f.voucher(e.voucher.id)).city.id),
    },
    roles: {
      // Both sides of the offer-contract read it (`contract`): the family and the provider.
      [Role.PARENT]: { records: 'family', fields: ALL },
      [Role.PROVIDER]: { records: 'provider', fields: ALL },
      [Role.OPERATOR]: { records: 'city', fields: ALL },
      [Role.AGENCY]: { records: 'all', fields: ALL },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<Enrollment>,

  Attendance: {
    identifiers: [],
    scopes: {
      family: async (a, f) => f.representsChild(await childOfVoucher(await voucherOfEnrollment(a.enrollment.id, f), f)),
      provider: (a, f) => f.ownProgram(a.program.id),
      city: (a, f) => f.programInOwnCity(a.program.id),
    },
    roles: {
      [Role.PARENT]: { records: 'family', fields: ALL },
      [Role.PROVIDER]: { records: 'provider', fields: ALL },
      [Role.OPERATOR]: { records: 'city', fields: ALL },
      // A parent's dispute reason is free text about their child.
      [Role.AGENCY]: { records: 'all', fields: ['id', 'sessionDate', 'status', 'minutes', 'hours', 'recordedAt', 'decidedAt', 'flags', 'flagsClearedAt', 'enrollment', 'program', 'child'] },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<Attendance>,

  PaymentLine: {
    identifiers: [],
    scopes: {
      provider: async (l, f) => f.ownProvider((await f.payment(l.payment.id)).provider.id),
      city: async (l, f) => f.ownCity((await f.payment(l.payment.id)).city.id),
    },
    roles: {
      [Role.PROVIDER]: { records: 'provider', fields: ALL },
      [Role.OPERATOR]: { records: 'city', fields: ALL },
      [Role.AGENCY]: { records: 'all', fields: ALL },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<PaymentLine>,

  // A provider's filed details: its contact person is a person. The provider and its city's operators only.
  ProviderApplication: {
    identifiers: ['contactName', 'contactPhone', 'contactEmail'],
    scopes: {
      provider: (a, f) => f.ownProvider(a.providerId),
      city: (a, f) => f.ownCity(a.cityId),
    },
    roles: {
      [Role.PROVIDER]: { records: 'provider', fields: ALL },
      [Role.OPERATOR]: { records: 'city', fields: ALL },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<ProviderApplicationRecord>,

  VerificationCase: {
    identifiers: ['childIin', 'childFullName', 'childBirthDate', 'claimantIin', 'claimantFullName', 'claimantPhone'],
    scopes: {
      city: (c, f) => f.ownCityCode(c.city),
    },
    roles: {
      // The operator deciding a claim needs who claims whom, and how to reach them for documents.
      [Role.OPERATOR]: { records: 'city', fields: ALL },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<VerificationCase>,

  AuditEvent: {
    // actorId is a parent's IIN when a parent acted.
    identifiers: ['actorId'],
    scopes: {
      city: (e, f) => f.ownCityCode(e.cityCode),
    },
    roles: {
      [Role.OPERATOR]: { records: 'city', fields: ALL, hiddenWhen: { actorId: actorIsParent }, scrubbed: ['before', 'after'] },
      [Role.AGENCY]: {
        records: 'all',
        fields: ['id', 'occurredAt', 'actorRole', 'actorId', 'action', 'entityType', 'entityId', 'cityCode', 'before', 'after', 'rulesVersion'],
        hiddenWhen: { actorId: actorIsParent },
        scrubbed: ['before', 'after'],
      },
      [Role.ADMIN]: { records: 'all', fields: ALL },
    },
  } satisfies TypePolicy<AuditEvent>,
} as const satisfies Record<string, TypePolicy>;

export type PolicyTypeName = keyof typeof PRIVACY_POLICY;

/**
 * Schema fields whose names look personal but are not a person's data, with the reason. The
 * schema-walk test fails on any personal-looking field that is neither here nor in a row above.
 */
export const NOT_PERSONAL: Readonly<Record<string, string>> = {
  'Provider.name': 'an organisation’s registered name (public catalogue)',
  'ProviderApplication.address': 'an organisation’s address',
  'Program.address': 'where a club meets (public catalogue)',
  'Program.teacherName': 'the teacher or coach a provider publishes with its club (public catalogue), not a family’s data',
  'City.name': 'a place',
  'Holiday.name': 'a public holiday of a city (Nauryz, Independence Day)',
  'ApiKey.name': 'the organisation a key was issued to (ADMIN only)',
  'Viewer.name': 'the caller’s own name, from their own token',
  'Viewer.iin': 'the caller’s own IIN, from their own token',
};

/** Names of fields that identify a person; used by the walk test to find new ones. */
export const PERSONAL_FIELD_NAME = /(^|[a-z])(iin|Iin|fullName|FullName|birthDate|BirthDate|phone|Phone|name|Name|surname|Surname|patronymic|address|Address|email|Email)$/;

/** Keys removed from free-form JSON (audit payloads) for roles that see no personal identifiers. */
export const PERSONAL_JSON_KEY = /iin|name|birth|phone|address|email/i;

export function policyOf(typeName: string): TypePolicy | undefined {
  return (PRIVACY_POLICY as Record<string, TypePolicy>)[typeName];
}

/** The row's rule for a role, or undefined when that role sees no record of the type. */
export function accessOf(typeName: string, role: Role): RoleAccess | undefined {
  return policyOf(typeName)?.roles[role];
}

/** Whether `role` may read `field` of a record of `typeName` (ignoring per-record exceptions). */
export function fieldListed(typeName: string, role: Role, field: string): boolean {
  const access = accessOf(typeName, role);
  if (!access) return false;
  return access.fields === ALL || access.fields.includes(field);
}

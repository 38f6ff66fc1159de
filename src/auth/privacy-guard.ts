import DataLoader from 'dataloader';
import { defaultFieldResolver, getNamedType, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema, isListType, isNonNullType, isObjectType } from 'graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ClaimStatus, Role } from '../domain/enums.js';
import { Applicant, Guardianship, Payment } from '../entities/index.js';
import { DomainError, ErrorCode, forbidden } from '../errors.js';
import type { Loaders } from '../loaders.js';
import { accessOf, PERSONAL_JSON_KEY, policyOf, type RoleAccess, type ScopeFacts } from './policy.js';
import type { Viewer } from './viewer.js';

/**
 * Enforces the access policy (policy.ts) on every path. `applyPrivacyGuard` wraps, once at schema
 * build, every field that belongs to a policy type or returns one, so no resolver can forget it:
 *
 * - a field the caller's role may not read resolves to `null` with a FORBIDDEN error at its path;
 * - records outside the caller's scope are left out of lists, and a single nested one resolves to
 *   `null` with a FORBIDDEN error;
 * - a root lookup by id (`application(id)`, `child(id)`, …) that finds nothing the caller may see
 *   resolves to `null` with NOT_FOUND, whether the record is missing or someone else's, so
 *   existence never leaks.
 */
export function applyPrivacyGuard(schema: GraphQLSchema): GraphQLSchema {
  const query = schema.getQueryType();
  const roots = new Set([query, schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const ownRow = policyOf(type.name) ? type.name : null;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type).name;
      const returnsRow = policyOf(target) ? target : null;
      const lookup = type === query && field.args.some((arg) => arg.name === 'id') && !isListType(isNonNullType(field.type) ? field.type.ofType : field.type);
      if (!ownRow && !returnsRow && !lookup) continue;
      field.resolve = guarded(field, { ownRow, returnsRow, lookup, atRoot: roots.has(type) });
    }
  }
  return schema;
}

interface FieldPlan {
  /** The policy type this field belongs to, if any. */
  ownRow: string | null;
  /** The policy type this field returns (one or a list), if any. */
  returnsRow: string | null;
  /** A root lookup by id. */
  lookup: boolean;
  atRoot: boolean;
}

function guarded(field: GraphQLField<unknown, unknown>, plan: FieldPlan): GraphQLFieldResolver<unknown, { viewer: Viewer; privacy: PrivacyGuard }> {
  const resolve = field.resolve ?? defaultFieldResolver;
  return (source, args, ctx, info) => {
    let scrub = false;
    if (plan.ownRow) {
      const seen = ctx.privacy.fieldAccess(plan.ownRow, field.name, source);
      if (seen === 'hidden') throw hiddenField(plan.ownRow, field.name, ctx.viewer.role);
      scrub = seen === 'scrubbed';
    }
    const value = resolve(source, args, ctx, info);
    if (!plan.returnsRow && !plan.lookup && !scrub) return value;
    return Promise.resolve(value).then(async (result) => {
      if (scrub) return scrubPersonal(result);
      if (plan.returnsRow && result != null) {
        if (Array.isArray(result)) return ctx.privacy.visibleOnly(plan.returnsRow, result);
        if (!(await ctx.privacy.inScope(plan.returnsRow, result))) {
          if (plan.atRoot) throw notVisible(field.name, args);
          throw forbidden(`This ${plan.returnsRow} is outside what a ${ctx.viewer.role} may see.`);
        }
      }
      if (plan.lookup && result == null) throw notVisible(field.name, args);
      return result;
    });
  };
}

const hiddenField = (type: string, field: string, role: Role) => forbidden(`${type}.${field} is not visible to ${role === Role.PUBLIC ? 'anonymous callers' : `the role ${role}`}.`);

function notVisible(fieldName: string, args: Record<string, unknown>): DomainError {
  const what = fieldName.charAt(0).toUpperCase() + fieldName.slice(1);
  const id = typeof args.id === 'string' ? args.id.slice(0, 64) : undefined;
  return new DomainError(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);
}

/** Free-form JSON without the keys that look like a person's identifiers (at any depth). */
export function scrubPersonal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubPersonal);
  // Free text (an evidence reference, a note) may quote an IIN: twelve digits never pass.
  if (typeof value === 'string') return value.replace(IIN_LIKE, '************');
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !PERSONAL_JSON_KEY.test(key)).map(([key, v]) => [key, scrubPersonal(v)]));
}

const IIN_LIKE = /(?<!\d)\d{12}(?!\d)/g;

type FieldAccess = 'visible' | 'hidden' | 'scrubbed';

/**
 * The policy as it applies to one caller within one operation: which fields they read, and
 * whether a record is theirs to see, answered from batched look-ups (one statement per kind of
 * fact per tick, however many records a page holds).
 */
export class PrivacyGuard {
  private facts?: ScopeFacts;

  constructor(
    private readonly viewer: Viewer,
    private readonly em: EntityManager,
    private readonly loaders: Loaders,
  ) {}

  /** Whether the caller may read `field` of this record of a policy type. */
  fieldAccess(typeName: string, field: string, record: unknown): FieldAccess {
    const access = accessOf(typeName, this.viewer.role);
    if (!access) return 'hidden';
    if (access.fields !== '*' && !access.fields.includes(field)) return 'hidden';
    if (access.hiddenWhen?.[field]?.(record)) return 'hidden';
    return access.scrubbed?.includes(field) ? 'scrubbed' : 'visible';
  }

  /** Whether the caller may read the value of `field`, for code outside GraphQL (the CSV export). */
  async mayRead(typeName: string, record: unknown, field: string): Promise<boolean> {
    return this.fieldAccess(typeName, field, record) === 'visible' && (await this.inScope(typeName, record));
  }

  /** Whether the record is within the caller's scope for its type. */
  async inScope(typeName: string, record: unknown): Promise<boolean> {
    const access: RoleAccess | undefined = accessOf(typeName, this.viewer.role);
    if (!access) return false;
    if (access.records === 'all') return true;
    const predicate = policyOf(typeName)!.scopes[access.records];
    if (!predicate) return false;
    // A fact that cannot be established (a dangling id, an unknown city) means "not yours".
    return predicate(record, this.scopeFacts()).catch(() => false);
  }

  /** The records of a list the caller may see, in order. */
  async visibleOnly<T>(typeName: string, records: T[]): Promise<T[]> {
    const keep = await Promise.all(records.map((record) => this.inScope(typeName, record)));
    return records.filter((_, i) => keep[i]);
  }

  private scopeFacts(): ScopeFacts {
    return (this.facts ??= createScopeFacts(this.viewer, this.em, this.loaders));
  }
}

/** A batched yes/no per key: `sql` returns the keys (as `key`) for which the answer is yes. */
function yesFor(em: EntityManager, sql: string, param: () => unknown) {
  return new DataLoader<string, boolean>(async (keys) => {
    const rows = await em.execute<{ key: string }[]>(sql, [param(), [...keys]]);
    const yes = new Set(rows.map((row) => row.key));
    return keys.map((key) => yes.has(key));
  });
}

function createScopeFacts(viewer: Viewer, em: EntityManager, loaders: Loaders): ScopeFacts {
  const providerId = viewer.role === Role.PROVIDER ? viewer.providerId : null;
  const providerBin = viewer.role === Role.PROVIDER ? (viewer.bin ?? null) : null;
  const cityCode = viewer.role === Role.OPERATOR ? viewer.cityCode : null;
  const parentIin = viewer.role === Role.PARENT ? viewer.iin : null;
  const no = async () => false;

  const represents = new DataLoader<string, boolean>(async (childIds) => {
    const links = await em.find(Guardianship, { applicant: { iin: parentIin! }, child: { $in: [...childIds] }, status: ClaimStatus.VERIFIED });
    const mine = new Set(links.map((link) => link.child.id));
    return childIds.map((id) => mine.has(id));
  });
  const childAtProvider = yesFor(
    em,
    `select distinct v.child_id as key from enrollment e join voucher v on v.id = e.voucher_id join program p on p.id = e.program_id where p.provider_id = ? and v.child_id in (?)`,
    () => providerId,
  );
  const voucherAtProvider = yesFor(em, `select distinct e.voucher_id as key from enrollment e join program p on p.id = e.program_id where p.provider_id = ? and e.voucher_id in (?)`, () => providerId);
  const childInCity = yesFor(em, `select distinct a.child_id as key from application a join city c on c.id = a.city_id where c.code = ? and a.child_id in (?)`, () => cityCode);
  const payments = new DataLoader<string, Payment>(async (ids) => {
    const rows = await em.find(Payment, { id: { $in: [...ids] } });
    return ids.map((id) => rows.find((row) => row.id === id) ?? new Error(`Payment ${id} not found`));
  });
  let ownCityId: Promise<string | null> | undefined;
  const cityId = () => (ownCityId ??= cityCode ? loaders.cityByCode.load(cityCode).then((city) => city.id, () => null) : Promise.resolve(null));
  const ownProgram = async (programId: string) => providerId !== null && (await loaders.program.load(programId)).provider.id === providerId;

  let ownApplicantId: Promise<string | null> | undefined;
  const applicantId = () => (ownApplicantId ??= em.findOne(Applicant, { iin: parentIin! }).then((a) => a?.id ?? null));

  return {
    representsChild: parentIin ? (id) => represents.load(id) : no,
    ownApplicant: parentIin ? async (id) => id === (await applicantId()) : no,
    childAtOwnProvider: providerId ? (id) => childAtProvider.load(id) : no,
    voucherAtOwnProvider: providerId ? (id) => voucherAtProvider.load(id) : no,
    ownProgram,
    // By BIN as well: a provider that applied in this very request is its BIN's, before its token names the record.
    ownProvider: async (id) => (providerId !== null && id === providerId) || (providerBin !== null && (await loaders.provider.load(id)).bin === providerBin),
    childInOwnCity: cityCode ? (id) => childInCity.load(id) : no,
    ownCity: async (id) => id === (await cityId()),
    ownCityCode: async (code) => cityCode !== null && code === cityCode,
    programInOwnCity: async (programId) => {
      const program = await loaders.program.load(programId);
      const provider = await loaders.provider.load(program.provider.id);
      return provider.city.id === (await cityId());
    },
    application: (id) => loaders.application.load(id),
    voucher: (id) => loaders.voucher.load(id),
    enrollment: (id) => loaders.enrollment.load(id),
    payment: (id) => payments.load(id),
  };
}

import { type EntityManager, type FilterQuery, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { Direction, ProviderKind, Role, ProviderStatus, TeachingLanguage, VoucherType } from '../domain/enums.js';
import { providerKindsAccepting } from '../domain/voucher-eligibility.js';
import type { Viewer } from '../auth/viewer.js';
import { LocalizedText, Program, Provider, SuspendedSubject } from '../entities/index.js';
import type { ProgramDescription, ScheduleSlot } from '../entities/program.entity.js';
import { badInput, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import type { CityService } from './city.service.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { trackSuspension } from './suspension.js';
import { requireIntInRange, requireText } from './validate.js';

export interface ProgramFilter {
  city?: string | null;
  direction?: Direction | null;
  providerKind?: ProviderKind | null;
  providerId?: string | null;
  /** Only programs whose age range includes this age. */
  childAge?: number | null;
  /** Only programs that accept this voucher type. */
  voucherType?: VoucherType | null;
  hasFreeSeats?: boolean | null;
  language?: TeachingLanguage | null;
}

export interface LocalizedTextInput {
  kk: string;
  ru: string;
  en?: string | null;
}

export type ProgramFields = ProgramDescription<LocalizedTextInput>;

export interface CreateProgramInput extends ProgramFields {
  providerId: string;
}

export type UpdateProgramInput = { programId: string; active?: boolean | null } & { [K in keyof ProgramFields]?: ProgramFields[K] | null };

export const MAX_AGE = 18;
const MAX_SEATS = 10_000;

/** The catalogue of clubs. Responsible for auth checks: providers edit only their own programs. */
export class ProgramService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  async list(viewer: Viewer, filter: ProgramFilter = {}, pageArgs: PageArgs = {}): Promise<Page<Program>> {
    const { limit, afterId } = readPageArgs(pageArgs);
    // An unknown city is a mistake to report, not a filter that quietly matches nothing.
    const city = filter.city ? await this.cities.byCode(filter.city, 'filter.city') : null;
    const where = [programVisibility(viewer), ...filterClauses(filter), ...(city ? [{ provider: { city: city.id } }] : [])];
    const rows = await this.em.find(
      Program,
      { $and: [...where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit, () => this.em.count(Program, { $and: where }));
  }

  /** A program the viewer may see, or null (the contract's `program(id)` is nullable). */
  async find(viewer: Viewer, id: string): Promise<Program | null> {
    if (!isUuid(id)) return null;
    return this.em.findOne(Program, { $and: [{ id }, programVisibility(viewer)] });
  }

  async create(viewer: Viewer, input: CreateProgramInput): Promise<Program> {
    requireRole(viewer, Role.PROVIDER, Role.OPERATOR, Role.ADMIN);
    return this.em.transactional(async (em) => {
      const provider = isUuid(input.providerId) ? await em.findOne(Provider, { id: input.providerId }, { populate: ['city'] }) : null;
      if (!provider) throw notFound('Provider', input.providerId);
      assertMayManage(viewer, provider);
      const fields = validateFields(input, 'input');
      const program = new Program({ provider: ref(provider), ...fields });
      em.persist(program);
      return program;
    });
  }

  async update(viewer: Viewer, input: UpdateProgramInput): Promise<Program> {
    requireRole(viewer, Role.PROVIDER, Role.OPERATOR, Role.ADMIN);
    return this.em.transactional(async (em) => {
      const program = isUuid(input.programId)
        ? await em.findOne(Program, { id: input.programId }, { populate: ['provider.city'], lockMode: LockMode.PESSIMISTIC_WRITE })
        : null;
      if (!program) throw notFound('Program', input.programId);
      assertMayManage(viewer, program.provider.getEntity());
      const merged = validateFields(
        {
          title: input.title ?? program.title,
          direction: input.direction ?? program.direction,
          minAge: input.minAge ?? program.minAge,
          maxAge: input.maxAge ?? program.maxAge,
          seats: input.seats ?? program.seats,
          schedule: input.schedule ?? program.schedule,
          language: input.language ?? program.language,
        },
        'input',
      );
      if (merged.seats < program.seatsTaken) {
        throw badInput('input.seats', `seats cannot go below the ${program.seatsTaken} children already enrolled.`);
      }
      Object.assign(program, merged);
      if (input.active != null) {
        await trackSuspension(em, SuspendedSubject.PROGRAM, program.id, { before: program.active, after: input.active }, this.clock());
        program.active = input.active;
      }
      return program;
    });
  }
}

/** A provider's own staff, the operator of its city, or an admin. */
function assertMayManage(viewer: Viewer, provider: Provider): void {
  if (viewer.role === Role.PROVIDER) {
    if (viewer.providerId !== provider.id) throw forbidden('Providers can manage only their own programs.');
    return;
  }
  requireCityAuthority(viewer, provider.city.getEntity().code);
}

function validateFields(input: ProgramFields, path: string): ProgramFields & { title: LocalizedText } {
  const title = new LocalizedText(
    requireText(input.title.kk, `${path}.title.kk`),
    requireText(input.title.ru, `${path}.title.ru`),
    input.title.en ? requireText(input.title.en, `${path}.title.en`) : null,
  );
  const minAge = requireIntInRange(input.minAge, `${path}.minAge`, 0, MAX_AGE);
  const maxAge = requireIntInRange(input.maxAge, `${path}.maxAge`, 0, MAX_AGE);
  if (minAge > maxAge) throw badInput(`${path}.maxAge`, 'maxAge must not be below minAge.');
  const seats = requireIntInRange(input.seats, `${path}.seats`, 1, MAX_SEATS);
  return { ...input, title, minAge, maxAge, seats, schedule: validateSchedule(input.schedule, `${path}.schedule`) };
}

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

function validateSchedule(slots: ScheduleSlot[], path: string): ScheduleSlot[] {
  if (slots.length > 14) throw badInput(path, 'A schedule has at most 14 weekly slots.');
  return slots.map((slot, i) => {
    requireIntInRange(slot.weekday, `${path}[${i}].weekday`, 1, 7);
    if (!TIME_RE.test(slot.startsAt)) throw badInput(`${path}[${i}].startsAt`, 'Times are HH:MM, 24-hour.');
    if (!TIME_RE.test(slot.endsAt)) throw badInput(`${path}[${i}].endsAt`, 'Times are HH:MM, 24-hour.');
    if (slot.endsAt <= slot.startsAt) throw badInput(`${path}[${i}].endsAt`, 'A slot must end after it starts.');
    return { weekday: slot.weekday, startsAt: slot.startsAt, endsAt: slot.endsAt };
  });
}

function filterClauses(filter: ProgramFilter): FilterQuery<Program>[] {
  const clauses: FilterQuery<Program>[] = [];
  if (filter.direction) clauses.push({ direction: filter.direction });
  if (filter.providerKind) clauses.push({ provider: { kind: filter.providerKind } });
  if (filter.providerId) {
    if (!isUuid(filter.providerId)) throw badInput('filter.providerId', 'providerId is not a valid id.');
    clauses.push({ provider: filter.providerId });
  }
  if (filter.childAge != null) {
    const age = requireIntInRange(filter.childAge, 'filter.childAge', 0, MAX_AGE);
    clauses.push({ minAge: { $lte: age }, maxAge: { $gte: age } });
  }
  if (filter.voucherType) clauses.push({ provider: { kind: { $in: [...providerKindsAccepting(filter.voucherType)] } } });
  if (filter.hasFreeSeats != null) clauses.push({ freeSeats: filter.hasFreeSeats ? { $gt: 0 } : 0 });
  if (filter.language) clauses.push({ language: filter.language });
  return clauses;
}

/** The public catalogue is active programs of approved providers; staff also see their own. */
function programVisibility(viewer: Viewer): FilterQuery<Program> {
  const catalogue: FilterQuery<Program> = { active: true, provider: { status: ProviderStatus.APPROVED } };
  switch (viewer.role) {
    case Role.ADMIN:
    case Role.AGENCY:
      return {};
    case Role.OPERATOR:
      return { $or: [catalogue, { provider: { city: { code: viewer.cityCode } } }] };
    case Role.PROVIDER:
      return { $or: [catalogue, { provider: viewer.providerId }] };
    case Role.PARENT:
    case Role.PUBLIC:
      return catalogue;
  }
}

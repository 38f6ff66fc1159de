import { type EntityManager, type FilterQuery, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { Direction, ProgramReviewDecision, ProgramStatus, ProviderKind, ProviderStatus, Role, TeachingLanguage, VoucherType } from '../domain/enums.js';
import { PROGRAM_LIFECYCLE, PROGRAM_REVIEW_DECISIONS } from '../domain/lifecycles.js';
import { providerKindsAccepting } from '../domain/voucher-eligibility.js';
import type { Viewer } from '../auth/viewer.js';
import { Program, Provider, SuspendedSubject } from '../entities/index.js';
import { badInput, conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf } from './audit.service.js';
import type { CityService } from './city.service.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { moveTo } from './status-change.js';
import { trackSuspension } from './suspension.js';
import { inTransaction } from './transaction.js';
import { requireIntInRange, requireText } from './validate.js';
import { definedDetails, type DetailFields, detailsOf, MAX_AGE, type ProgramFields, requireComplete, validateDetails, validateFields } from './program-fields.js';

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
  /** Staff: programs in this review status (the public sees PUBLISHED ones only). */
  status?: ProgramStatus | null;
}

export type CreateProgramInput = ProgramFields & DetailFields & { providerId: string };

export type UpdateProgramInput = { programId: string; active?: boolean | null } & { [K in keyof ProgramFields]?: ProgramFields[K] | null } & DetailFields;

export interface ReviewProgramInput {
  programId: string;
  decision: ProgramReviewDecision;
  comment?: string | null;
}

/**
 * The catalogue of clubs. Responsible for auth checks: providers draft and edit only their own
 * programs and submit them; the city's operators publish or return them. Only PUBLISHED programs
 * of approved providers are in the public catalogue.
 */
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

  /**
   * A provider's new program is a DRAFT, for review. A program the city adds itself (an operator of
   * the city or an admin: the legacy and administrative path) is published at once, audited as such.
   */
  async create(viewer: Viewer, input: CreateProgramInput): Promise<Program> {
    requireRole(viewer, Role.PROVIDER, Role.OPERATOR, Role.ADMIN);
    return inTransaction(this.em, async (em) => {
      const provider = isUuid(input.providerId) ? await em.findOne(Provider, { id: input.providerId }, { populate: ['city'] }) : null;
      if (!provider) throw notFound('Provider', input.providerId);
      assertMayManage(viewer, provider);
      const { weeklySchedule, ...fields } = validateFields(input, 'input');
      const program = new Program({ provider: ref(provider), ...fields, weeklySchedule, ...validateDetails(input, 'input') });
      em.persist(program);
      if (viewer.role !== Role.PROVIDER) {
        await moveTo(em, program, PROGRAM_LIFECYCLE, ProgramStatus.PUBLISHED, {
          actor: actorOf(viewer),
          action: 'PROGRAM_PUBLISHED',
          cityCode: provider.city.getEntity().code,
          reason: 'added by the city',
        });
        program.publishedAt = this.clock();
      }
      return program;
    });
  }

  async update(viewer: Viewer, input: UpdateProgramInput): Promise<Program> {
    requireRole(viewer, Role.PROVIDER, Role.OPERATOR, Role.ADMIN);
    return inTransaction(this.em, async (em) => {
      const program = await this.locked(em, input.programId);
      assertMayManage(viewer, program.provider.getEntity());
      // The operator reviews what was submitted, not a text that changes under them.
      if (viewer.role === Role.PROVIDER && program.status === ProgramStatus.IN_REVIEW) {
        throw conflict('The program is IN_REVIEW; it can be changed once the city publishes or returns it.', { status: program.status });
      }
      const scheduleGiven = input.weeklySchedule != null || input.schedule != null;
      const merged = validateFields(
        {
          title: input.title ?? program.title,
          direction: input.direction ?? program.direction,
          minAge: input.minAge ?? program.minAge,
          maxAge: input.maxAge ?? program.maxAge,
          seats: input.seats ?? program.seats,
          schedule: scheduleGiven ? (input.schedule ?? []) : program.schedule,
          weeklySchedule: scheduleGiven ? input.weeklySchedule : null,
          language: input.language ?? program.language,
        },
        'input',
      );
      if (merged.seats < program.seatsTaken) {
        throw badInput('input.seats', `seats cannot go below the ${program.seatsTaken} children already enrolled.`);
      }
      Object.assign(program, merged, validateDetails({ ...detailsOf(program), ...definedDetails(input) }, 'input'));
      if (input.active != null) {
        await trackSuspension(em, SuspendedSubject.PROGRAM, program.id, { before: program.active, after: input.active }, this.clock());
        program.active = input.active;
      }
      return program;
    });
  }

  /** The provider submits a draft (or a returned program, fixed) for the city's review. */
  async submit(viewer: Viewer, programId: string): Promise<Program> {
    requireRole(viewer, Role.PROVIDER);
    return inTransaction(this.em, async (em) => {
      const program = await this.locked(em, programId);
      const provider = program.provider.getEntity();
      assertMayManage(viewer, provider);
      if (provider.status !== ProviderStatus.PENDING && provider.status !== ProviderStatus.APPROVED) {
        throw conflict(`The provider is ${provider.status}; only a pending or approved provider submits programs.`, { status: provider.status });
      }
      requireComplete(program);
      await moveTo(em, program, PROGRAM_LIFECYCLE, ProgramStatus.IN_REVIEW, { actor: actorOf(viewer), action: 'PROGRAM_SUBMITTED', cityCode: provider.city.getEntity().code });
      program.submittedAt = this.clock();
      return program;
    });
  }

  /** An operator of the program's city (or an admin) publishes it or returns it with comments; audited. */
  async review(viewer: Viewer, input: ReviewProgramInput): Promise<Program> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const comment = input.comment?.trim() ? requireText(input.comment, 'input.comment', { min: 3, max: 2000 }) : null;
    if (input.decision === ProgramReviewDecision.RETURN && !comment) throw badInput('input.comment', 'Say what the provider should change: a returned program needs comments.');
    const decision = PROGRAM_REVIEW_DECISIONS[input.decision];
    return inTransaction(this.em, async (em) => {
      const program = await this.locked(em, input.programId);
      const cityCode = program.provider.getEntity().city.getEntity().code;
      requireCityAuthority(viewer, cityCode);
      // Two operators deciding at once: the row lock orders them, and the second finds it decided.
      if (!(decision.from as readonly ProgramStatus[]).includes(program.status)) {
        throw conflict(`The program is ${program.status}; only a program IN_REVIEW can be published or returned.`, { from: program.status, to: decision.to });
      }
      await moveTo(em, program, PROGRAM_LIFECYCLE, decision.to, { actor: actorOf(viewer), action: decision.action, cityCode, reason: comment });
      if (decision.to === ProgramStatus.PUBLISHED) {
        program.publishedAt = this.clock();
        program.reviewComment = null;
      } else {
        program.reviewComment = comment;
      }
      return program;
    });
  }

  private async locked(em: EntityManager, programId: string): Promise<Program> {
    const program = isUuid(programId)
      ? await em.findOne(Program, { id: programId }, { populate: ['provider.city'], lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
      : null;
    if (!program) throw notFound('Program', programId);
    return program;
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
  if (filter.status) clauses.push({ status: filter.status });
  return clauses;
}

/** The public catalogue is active, published programs of approved providers; staff also see their own. */
function programVisibility(viewer: Viewer): FilterQuery<Program> {
  const catalogue: FilterQuery<Program> = { active: true, status: ProgramStatus.PUBLISHED, provider: { status: ProviderStatus.APPROVED } };
  switch (viewer.role) {
    case Role.ADMIN:
    case Role.AGENCY:
      return {};
    case Role.OPERATOR:
      return { $or: [catalogue, { provider: { city: { code: viewer.cityCode } } }] };
    case Role.PROVIDER:
      return viewer.providerId ? { $or: [catalogue, { provider: viewer.providerId }] } : catalogue;
    case Role.PARENT:
    case Role.PUBLIC:
      return catalogue;
  }
}

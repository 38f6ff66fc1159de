import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { EnrollmentStatus, Role } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { Enrollment, Program } from '../entities/index.js';
import { badInput, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';

export interface RosterFilter {
  programId?: string | null;
  status?: EnrollmentStatus | null;
}

/**
 * Rosters (issue 13 §2): who is enrolled in a provider's clubs, so a provider can record their
 * sessions. What a provider sees of each child (name and age) is the access policy's Child row;
 * here only which enrollments. Responsible for auth checks.
 */
export class RosterService {
  constructor(private readonly em: EntityManager) {}

  /** One program's enrollments: its provider's, its city operator's, an agency's or an admin's. */
  async ofProgram(viewer: Viewer, program: Program, status: EnrollmentStatus | null | undefined, pageArgs: PageArgs = {}): Promise<Page<Enrollment>> {
    requireRole(viewer, Role.PROVIDER, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    if (viewer.role === Role.PROVIDER && program.provider.id !== viewer.providerId) throw forbidden('A provider sees only its own programs’ rosters.');
    if (viewer.role === Role.OPERATOR) {
      const loaded = await this.em.findOneOrFail(Program, { id: program.id }, { populate: ['provider.city'] });
      requireCityAuthority(viewer, loaded.provider.getEntity().city.getEntity().code);
    }
    return this.page({ program: program.id, ...(status ? { status } : {}) }, pageArgs);
  }

  /** The provider's roster across its programs (PROVIDER), optionally one program's or one status's. */
  async mine(viewer: Viewer, filter: RosterFilter = {}, pageArgs: PageArgs = {}): Promise<Page<Enrollment>> {
    // A malformed cursor is the client's mistake whoever sends it (it reads nothing): said first.
    readPageArgs(pageArgs);
    requireRole(viewer, Role.PROVIDER);
    const where: FilterQuery<Enrollment> = { program: { provider: viewer.providerId } };
    if (filter.programId) {
      if (!isUuid(filter.programId)) throw badInput('programId', 'Not a program id.');
      const program = await this.em.findOne(Program, { id: filter.programId });
      if (!program) throw notFound('Program', filter.programId);
      if (program.provider.id !== viewer.providerId) throw forbidden('A provider sees only its own programs’ rosters.');
      Object.assign(where, { program: program.id });
    }
    if (filter.status) Object.assign(where, { status: filter.status });
    return this.page(where, pageArgs);
  }

  private async page(where: FilterQuery<Enrollment>, pageArgs: PageArgs): Promise<Page<Enrollment>> {
    const { limit, afterId } = readPageArgs(pageArgs);
    const rows = await this.em.find(Enrollment, { $and: [where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] }, { orderBy: { id: 'asc' }, limit: limit + 1 });
    return toPage(rows, limit, () => this.em.count(Enrollment, where));
  }
}

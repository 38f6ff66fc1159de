import { type EntityManager, type FilterQuery, LockMode } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import type { Viewer } from '../auth/viewer.js';
import { Role, TimesheetCheck } from '../domain/enums.js';
import { Attendance } from '../entities/index.js';
import { badInput, conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { inTransaction } from './transaction.js';
import { requireText } from './validate.js';

/** OPEN: flagged and held; CLEARED: the operator cleared the flags. */
export type FlagReviewStatus = 'OPEN' | 'CLEARED';

/**
 * The operator's review of flagged sessions (issue 13 §2): a session a timesheet check flagged is
 * held from settlement, alone, until the city's operator clears it. Responsible for auth checks.
 */
export class SessionFlagsService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  /** The city's flagged sessions, oldest first. */
  async list(viewer: Viewer, cityCode: string, status: FlagReviewStatus = 'OPEN', pageArgs: PageArgs = {}): Promise<Page<Attendance>> {
    requireCityAuthority(viewer, cityCode.trim().toUpperCase());
    const city = await this.cities.byCode(cityCode, 'city');
    const { limit, afterId } = readPageArgs(pageArgs);
    const where: FilterQuery<Attendance> = {
      program: { provider: { city: city.id } },
      // Flagged: at least one check's name among the flags (the array is never anything else).
      flags: { $overlap: Object.values(TimesheetCheck) },
      flagsClearedAt: status === 'OPEN' ? null : { $ne: null },
    };
    const rows = await this.em.find(Attendance, { $and: [where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] }, { orderBy: { id: 'asc' }, limit: limit + 1 });
    return toPage(rows, limit, () => this.em.count(Attendance, where));
  }

  /** Clears the flags of sessions of the operator's city: they become payable once confirmed. Clearing again changes nothing. */
  async clear(viewer: Viewer, attendanceIds: string[], rawNote: string): Promise<Attendance[]> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const ids = [...new Set(attendanceIds)];
    if (ids.length === 0 || ids.length > 500 || !ids.every(isUuid)) throw badInput('input.attendanceIds', 'Give between 1 and 500 session ids.');
    const note = requireText(rawNote, 'input.note', { min: 3, max: 1000 });
    return inTransaction(this.em, async (em) => {
      const rows = await em.find(Attendance, { id: { $in: ids } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, populate: ['program.provider.city'] });
      if (rows.length !== ids.length) throw notFound('Attendance', ids.find((id) => !rows.some((r) => r.id === id)));
      for (const row of rows) {
        const code = row.program.getEntity().provider.getEntity().city.getEntity().code;
        try {
          requireCityAuthority(viewer, code);
        } catch {
          throw forbidden('These sessions are another city’s.');
        }
      }
      const unflagged = rows.find((r) => r.flags.length === 0);
      if (unflagged) throw conflict('This session has no flags to clear.', { field: `input.attendanceIds[${ids.indexOf(unflagged.id)}]` });
      const actor = actorOf(viewer);
      for (const row of rows) {
        if (row.flagsClearedAt) continue;
        row.flagsClearedAt = this.clock();
        row.flagsClearedBy = `${actor.role}:${actor.id}`;
        recordAudit(em, actor, {
          action: 'ATTENDANCE_FLAGS_CLEARED',
          entityType: 'Attendance',
          entityId: row.id,
          cityCode: row.program.getEntity().provider.getEntity().city.getEntity().code,
          before: { flags: row.flags, cleared: false },
          after: { flags: row.flags, cleared: true, note },
        });
      }
      await em.flush();
      return rows;
    });
  }
}

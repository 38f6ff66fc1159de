import { type EntityManager, type FilterQuery, LockMode } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { addDays, localDate } from '../domain/calendar.js';
import { AttendanceStatus, ClaimStatus, ProviderStatus, Role } from '../domain/enums.js';
import { ATTENDANCE_LIFECYCLE } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { Attendance, Guardianship, Program } from '../entities/index.js';
import { badInput, conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import { onceForKey } from './idempotency.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { currentRules } from './rules.service.js';
import { enrollmentsOnDay, firstSuspendedSession, insertSessions } from './attendance.queries.js';
import { moveAll, moveTo } from './status-change.js';
import { lockChildren } from './locks.js';
import { inTransaction } from './transaction.js';
import { requireText } from './validate.js';

export interface RecordAttendanceInput {
  programId: string;
  /** YYYY-MM-DD, the session's date in the city. */
  date: string;
  childIds: string[];
  hours: number;
}

export interface AttendanceFilter {
  programId?: string | null;
  childId?: string | null;
  status?: AttendanceStatus | null;
  from?: string | null;
  to?: string | null;
}

/** Sessions are counted in quarter hours, so hours become whole minutes exactly. */
function minutesOf(hours: number): number {
  const minutes = hours * 60;
  if (!Number.isFinite(hours) || hours <= 0 || hours > 10 || !Number.isInteger(minutes) || minutes % 15 !== 0) {
    throw badInput('input.hours', 'hours is a positive number of quarter hours, at most 10 (e.g. 1.5).');
  }
  return minutes;
}


const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Attendance: the provider records sessions, the parent confirms or disputes them within the
 * city's window, and only confirmed sessions are ever paid. Responsible for auth checks.
 */
export class AttendanceService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  async record(viewer: Viewer, input: RecordAttendanceInput): Promise<Attendance[]> {
    requireRole(viewer, Role.PROVIDER);
    const program = isUuid(input.programId) ? await this.em.findOne(Program, { id: input.programId }, { populate: ['provider.city'] }) : null;
    if (!program) throw notFound('Program', input.programId);
    if (program.provider.id !== viewer.providerId) throw forbidden('Providers record attendance only for their own programs.');
    const provider = program.provider.getEntity();
    // Money flows only to what is live: a suspended provider or an inactive program records nothing.
    if (provider.status !== ProviderStatus.APPROVED) throw conflict(`The provider is ${provider.status}; only an approved provider records attendance.`);
    if (!program.active) throw conflict('The program is not active; sessions of an inactive program are not recorded.');
    const city = provider.city.getEntity();
    if (!DATE_RE.test(input.date) || Number.isNaN(Date.parse(`${input.date}T00:00:00Z`)) || addDays(input.date, 0) !== input.date) {
      throw badInput('input.date', 'date is a real calendar date, YYYY-MM-DD.');
    }
    if (input.date > localDate(city.timezone, this.clock())) throw badInput('input.date', 'Attendance cannot be recorded for a future date.');
    const minutes = minutesOf(input.hours);
    const childIds = [...new Set(input.childIds)];
    if (childIds.length === 0 || childIds.length > 500) throw badInput('input.childIds', 'Give between 1 and 500 children.');
    childIds.forEach((id, i) => {
      if (!isUuid(id)) throw badInput(`input.childIds[${i}]`, 'Not a child id.');
    });

    // The children's locks first (level 2 of locks.ts), as every voucher change takes them, then
    // the rows: a session recorded while the child's voucher is suspended, revoked or switched waits
    // for that change instead of deadlocking with it (the insert's foreign-key check locks the
    // voucher row). A deadlock or serialization failure that still happens is retried.
    return inTransaction(this.em, async (em) => {
      await lockChildren(em, childIds);
      // The enrollments of each child in this program that covered the date (in the city's time):
      // two on the day the child switched away and back; the later one records a new session.
      const enrollments = await enrollmentsOnDay.all(em, { day: input.date, timezone: city.timezone, programId: program.id, childIds });
      const byChild = new Map(enrollments.map((r) => [r.child_id, r]));
      const missing = childIds.findIndex((id) => !byChild.has(id));
      if (missing >= 0) throw badInput(`input.childIds[${missing}]`, `This child was not enrolled in the program on ${input.date}.`);
      const suspended = childIds.findIndex((id) => enrollments.find((r) => r.child_id === id)!.suspended);
      if (suspended >= 0) {
        throw conflict(`This child's voucher, the provider or the program was suspended on ${input.date}; sessions then are not recorded or paid.`, { field: `input.childIds[${suspended}]` });
      }
      const chosen = [...byChild.values()];
      // One session per child's voucher, program and day, whichever enrollment records it (the
      // constraint attendance_one_per_voucher_program_day): recording again creates nothing and
      // answers with the session already there.
      const created = await insertSessions.all(em, {
        programId: program.id,
        day: input.date,
        minutes,
        status: AttendanceStatus.RECORDED,
        enrollmentIds: `{${chosen.map((r) => r.enrollment_id).join(',')}}`,
        voucherIds: `{${chosen.map((r) => r.voucher_id).join(',')}}`,
      });
      // A recorded session is a claim on public money: one audit entry per session created (none
      // for a repeat), written with it in this transaction (the ORM batches them into few inserts).
      const actor = actorOf(viewer);
      for (const row of created) {
        recordAudit(em, actor, {
          action: 'ATTENDANCE_RECORDED',
          entityType: 'Attendance',
          entityId: row.id,
          cityCode: city.code,
          after: { programId: program.id, enrollmentId: row.enrollment_id, voucherId: row.voucher_id, sessionDate: input.date, minutes, status: AttendanceStatus.RECORDED },
        });
      }
      await em.flush();
      return em.find(Attendance, { voucher: { $in: chosen.map((r) => r.voucher_id) }, program: program.id, sessionDate: input.date }, { orderBy: { id: 'asc' } });
    });
  }

  /** Confirms sessions of the parent's own children. Confirming again changes nothing. */
  async confirm(viewer: Viewer, attendanceIds: string[], idempotencyKey?: string | null): Promise<Attendance[]> {
    requireRole(viewer, Role.PARENT);
    const ids = [...new Set(attendanceIds)];
    if (ids.length === 0 || ids.length > 500 || !ids.every(isUuid)) throw badInput('input.attendanceIds', 'Give between 1 and 500 attendance ids.');
    const result = await inTransaction(this.em, (em) =>
      onceForKey(em, viewer, idempotencyKey, 'confirmAttendance', [...ids].sort(), async () => {
        const sessions = await this.lockOwn(em, viewer.iin, ids);
        await refuseSuspendedSessions(em, ids);
        for (const attendance of sessions) {
          if (attendance.status === AttendanceStatus.CONFIRMED) continue;
          await this.decide(em, viewer, attendance, AttendanceStatus.CONFIRMED);
        }
        return ids;
      }),
    );
    return this.em.find(Attendance, { id: { $in: result.ids } }, { orderBy: { id: 'asc' } });
  }

  async dispute(viewer: Viewer, attendanceId: string, rawReason: string): Promise<Attendance> {
    requireRole(viewer, Role.PARENT);
    const reason = requireText(rawReason, 'input.reason', { min: 3, max: 1000 });
    return inTransaction(this.em, async (em) => {
      const [attendance] = await this.lockOwn(em, viewer.iin, [attendanceId]);
      if (attendance!.status === AttendanceStatus.DISPUTED) return attendance!;
      await this.decide(em, viewer, attendance!, AttendanceStatus.DISPUTED, reason);
      return attendance!;
    });
  }

  async list(viewer: Viewer, filter: AttendanceFilter = {}, pageArgs: PageArgs = {}): Promise<Page<Attendance>> {
    requireRole(viewer, Role.PARENT, Role.PROVIDER, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    const { limit, afterId } = readPageArgs(pageArgs);
    const where: FilterQuery<Attendance>[] = [];
    if (viewer.role === Role.PARENT) {
      const links = await this.em.find(Guardianship, { applicant: { iin: viewer.iin }, status: ClaimStatus.VERIFIED });
      where.push({ enrollment: { voucher: { child: { $in: links.map((l) => l.child.id) } } } });
    }
    if (viewer.role === Role.PROVIDER) where.push({ program: { provider: viewer.providerId } });
    if (viewer.role === Role.OPERATOR) where.push({ program: { provider: { city: { code: viewer.cityCode } } } });
    if (filter.programId) where.push({ program: filter.programId });
    if (filter.childId) where.push({ enrollment: { voucher: { child: filter.childId } } });
    if (filter.status) where.push({ status: filter.status });
    if (filter.from) where.push({ sessionDate: { $gte: filter.from } });
    if (filter.to) where.push({ sessionDate: { $lte: filter.to } });
    const rows = await this.em.find(Attendance, { $and: [...where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] }, { orderBy: { id: 'asc' }, limit: limit + 1 });
    return toPage(rows, limit, () => this.em.count(Attendance, { $and: where }));
  }

  /** Locks the sessions, refusing (before anything is written) any that are not the parent's children's. */
  private async lockOwn(em: EntityManager, parentIin: string, ids: string[]): Promise<Attendance[]> {
    const rows = await em.find(Attendance, { id: { $in: ids } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
    if (rows.length !== ids.length) throw notFound('Attendance', ids.find((id) => !rows.some((r) => r.id === id)));
    await em.populate(rows, ['enrollment.voucher', 'program.provider.city']);
    const childIds = [...new Set(rows.map((r) => r.enrollment.getEntity().voucher.getEntity().child.id))];
    const own = await em.count(Guardianship, { child: { $in: childIds }, applicant: { iin: parentIin }, status: ClaimStatus.VERIFIED });
    if (own !== childIds.length) throw forbidden('These sessions are another family’s.');
    return rows;
  }

  private async decide(em: EntityManager, viewer: Viewer, attendance: Attendance, to: AttendanceStatus, reason?: string): Promise<void> {
    const city = attendance.program.getEntity().provider.getEntity().city.getEntity();
    const rules = await currentRules(em, city.id);
    if (localDate(city.timezone, this.clock()) > addDays(attendance.sessionDate, rules.confirmationWindowDays)) {
      throw conflict(`The ${rules.confirmationWindowDays}-day window to confirm or dispute the session of ${attendance.sessionDate} has closed.`);
    }
    await moveTo(em, attendance, ATTENDANCE_LIFECYCLE, to, {
      actor: actorOf(viewer),
      action: to === AttendanceStatus.CONFIRMED ? 'ATTENDANCE_CONFIRMED' : 'ATTENDANCE_DISPUTED',
      cityCode: city.code,
      rulesVersion: rules.version,
      reason,
    });
    attendance.decidedAt = this.clock();
    attendance.disputeReason = reason ?? null;
  }

  /**
   * Sessions nobody answered within their city's window become UNCONFIRMED: listed, never paid.
   * In the caller's transaction (the scheduler's job per city, or a settlement before it counts);
   * `now` is the time the windows are measured at (a settlement passes its own).
   */
  async lapseUnconfirmed(em: EntityManager, cityCodes: string[] | undefined, now: Date = this.clock()): Promise<number> {
    const moved = await moveAll(em, ATTENDANCE_LIFECYCLE, {
      from: [AttendanceStatus.RECORDED],
      to: AttendanceStatus.UNCONFIRMED,
      set: { sql: 'decided_at = ?::timestamptz', params: [now] },
      using: {
        sql: `program p join provider pr on pr.id = p.provider_id join city c on c.id = pr.city_id
         join lateral (select confirmation_window_days as days from city_rules r where r.city_id = c.id order by r.version desc limit 1) r on true`,
        params: [],
      },
      where: `t.program_id = p.id and t.session_date + r.days < (?::timestamptz at time zone c.timezone)::date ${cityCodes ? 'and c.code in (?)' : ''}`,
      params: [now, ...(cityCodes ? [cityCodes] : [])],
    });
    return moved.length;
  }
}

/** Sessions on a day their voucher, provider or program was suspended are not confirmed: they are never paid. */
async function refuseSuspendedSessions(em: EntityManager, ids: string[]): Promise<void> {
  const suspended = await firstSuspendedSession.first(em, { ids });
  if (suspended) {
    throw conflict(`The session of ${suspended.session_date} fell while the voucher, the provider or the program was suspended; it is not paid, so it cannot be confirmed.`, {
      field: `input.attendanceIds[${ids.indexOf(suspended.id)}]`,
    });
  }
}

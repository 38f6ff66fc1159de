import { type EntityManager, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { localDate } from '../domain/calendar.js';
import { AttendanceStatus, CheckAction, PaymentStatus, ProviderStatus, Role, TimesheetCheck } from '../domain/enums.js';
import { failedChecks, weeklySlots, type WeeklySlot } from '../domain/timesheet-checks.js';
import type { Viewer } from '../auth/viewer.js';
import { Attendance, CityHoliday, Enrollment, Payment, Program, Timesheet, Voucher } from '../entities/index.js';
import { DEFAULT_TIMESHEET_CHECKS } from '../entities/city-rules.entity.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { isUuid, uuidv7 } from '../ids.js';
import { requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import { advisoryLock, LockKey, lockChildren } from './locks.js';
import { currentRules } from './rules.service.js';
import { ensureTimesheet, programSchedule, sessionsElsewhere, sheetEnrollments, suspendedDays } from './timesheet.queries.js';
import { monthBounds, sheetError, sheetHash, type TimesheetInput, validateSheetShape } from './timesheet-input.js';
import { inTransaction } from './transaction.js';

export interface TimesheetResult {
  timesheet: Timesheet;
  /** The program's sessions of the month held for review (flagged, not cleared), by date. */
  flagged: Attendance[];
  /** How many sessions the program has in the month. */
  sessionCount: number;
  created: number;
  changed: number;
  withdrawn: number;
  /** Sessions the parent already confirmed or disputed (or whose window lapsed): the sheet leaves them as they are. */
  keptDecided: number;
}

const slotsOf = (row: { weekly_schedule: unknown; schedule: unknown }): WeeklySlot[] => weeklySlots(row.weekly_schedule as never, row.schedule as never);
const sameFlags = (a: string[], b: string[]) => a.length === b.length && a.every((f, i) => f === b[i]);

/**
 * A provider's month at once (issue 13 §2): the whole sheet of a program and month replaces the
 * sessions the parents have not answered yet, keeps the ones they have, and runs every session
 * through the city's timesheet checks (refused or flagged per its rules). The attendance aggregate
 * is the same as recordAttendance's: one session per voucher, program and day. Responsible for auth checks.
 */
export class TimesheetService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  async record(viewer: Viewer, input: TimesheetInput): Promise<TimesheetResult> {
    requireRole(viewer, Role.PROVIDER);
    const program = isUuid(input.programId) ? await this.em.findOne(Program, { id: input.programId }, { populate: ['provider.city'] }) : null;
    if (!program) throw notFound('Program', input.programId);
    if (program.provider.id !== viewer.providerId) throw forbidden('Providers record timesheets only for their own programs.');
    const provider = program.provider.getEntity();
    if (provider.status !== ProviderStatus.APPROVED) throw conflict(`The provider is ${provider.status}; only an approved provider records attendance.`);
    if (!program.active) throw conflict('The program is not active; sessions of an inactive program are not recorded.');
    const city = provider.city.getEntity();
    const now = this.clock();
    validateSheetShape(input, localDate(city.timezone, now));
    const hash = sheetHash(input);
    const [start, end] = monthBounds(input.month);
    const actor = actorOf(viewer);

    return inTransaction(this.em, async (em) => {
      // The sheet's row first: the unique (program, month) makes a second submission at once wait
      // here for the first and then find it; the rest of the month's work runs one sheet at a time.
      await ensureTimesheet.all(em, { id: uuidv7(), programId: program.id, month: input.month, hash: '', by: `${actor.role}:${actor.id}`, at: now });
      const sheet = await em.findOneOrFail(Timesheet, { program: program.id, month: input.month }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      // A settlement of the city's month never runs half-way through a sheet (its lock, shared here).
      await advisoryLock(em, LockKey.settlement(city.id, input.month), 'shared');
      const approved = await em.count(Payment, { provider: provider.id, period: input.month, status: { $in: [PaymentStatus.APPROVED, PaymentStatus.PAID] } });
      if (approved > 0) throw conflict(`${input.month} is settled and its payment approved; its sessions can no longer change.`, { field: 'input.month' });
      if (sheet.contentHash === hash) return this.result(em, sheet, { created: 0, changed: 0, withdrawn: 0, keptDecided: 0 });

      const enrollments = input.rows.length ? await sheetEnrollments.all(em, { programId: program.id, enrollmentIds: input.rows.map((r) => r.enrollmentId), timezone: city.timezone }) : [];
      const byId = new Map(enrollments.map((e) => [e.id, e]));
      const voucherDays = new Map<string, { row: number; session: number; line?: number }>();
      input.rows.forEach((row, i) => {
        const e = byId.get(row.enrollmentId);
        if (!e) throw sheetError({ row: i, line: row.sessions[0]?.line }, 'Not an enrollment of this program.');
        row.sessions.forEach((s, j) => {
          const place = { row: i, session: j, line: s.line };
          if (s.date < e.first_day || (e.last_day && s.date > e.last_day)) throw sheetError(place, `The child was not enrolled in the program on ${s.date}.`);
          // Two enrollments of one voucher (switched away and back): still one session a day.
          if (voucherDays.has(`${e.voucher_id}|${s.date}`)) throw sheetError(place, `This child already has a session on ${s.date} in this sheet.`);
          voucherDays.set(`${e.voucher_id}|${s.date}`, place);
        });
      });
      await lockChildren(em, enrollments.map((e) => e.child_id));

      // The facts every check reads, one statement each.
      const rules = await currentRules(em, city.id);
      const actions = { ...DEFAULT_TIMESHEET_CHECKS, ...rules.timesheetChecks };
      const holidays = new Set((await em.find(CityHoliday, { city: city.id, date: { $gte: start, $lt: end } })).map((h) => h.date));
      const slots = slotsOf((await programSchedule.all(em, { programId: program.id }))[0]!);
      const elsewhere = enrollments.length ? await sessionsElsewhere.all(em, { providerId: provider.id, childIds: [...new Set(enrollments.map((e) => e.child_id))], start, end }) : [];
      const pairs = [...voucherDays.keys()].map((k) => k.split('|') as [string, string]);
      const suspended = new Set(
        pairs.length
          ? (await suspendedDays.all(em, { programId: program.id, voucherIds: `{${pairs.map((p) => p[0]).join(',')}}`, days: `{${pairs.map((p) => p[1]).join(',')}}`, timezone: city.timezone })).map((r) => `${r.voucher_id}|${r.day}`)
          : [],
      );

      // Each session's failed checks: a refused one refuses the sheet, a flagged one is recorded and held.
      const wanted = new Map<string, { enrollmentId: string; voucherId: string; date: string; minutes: number; flags: string[] }>();
      input.rows.forEach((row, i) => {
        const e = byId.get(row.enrollmentId)!;
        row.sessions.forEach((s, j) => {
          const failed = failedChecks({
            date: s.date,
            minutes: s.minutes,
            slots,
            holiday: holidays.has(s.date),
            suspended: suspended.has(`${e.voucher_id}|${s.date}`),
            elsewhere: elsewhere.filter((o) => o.child_id === e.child_id && o.session_date === s.date).map((o) => ({ minutes: o.minutes, slots: slotsOf(o) })),
          });
          const refused = failed.find((check) => actions[check] === CheckAction.REFUSE);
          if (refused) throw sheetError({ row: i, session: j, line: s.line }, `${s.date}: ${REFUSAL[refused]} (the city's ${refused} check refuses it).`);
          wanted.set(`${e.voucher_id}|${s.date}`, { enrollmentId: e.id, voucherId: e.voucher_id, date: s.date, minutes: s.minutes, flags: failed });
        });
      });

      const counts = await this.apply(em, sheet, program, city.code, wanted, start, end, actor);
      sheet.version += 1; // 0 while the sheet is new in this transaction
      sheet.contentHash = hash;
      sheet.submittedBy = `${actor.role}:${actor.id}`;
      sheet.submittedAt = now;
      recordAudit(em, actor, {
        action: 'TIMESHEET_SUBMITTED',
        entityType: 'Timesheet',
        entityId: sheet.id,
        cityCode: city.code,
        after: { programId: program.id, month: input.month, version: sheet.version, ...counts },
        rulesVersion: rules.version,
      });
      await em.flush();
      return this.result(em, sheet, counts);
    });
  }

  /** Creates, changes and withdraws the month's unanswered sessions so they are the sheet; answered ones stay. */
  private async apply(
    em: EntityManager,
    sheet: Timesheet,
    program: Program,
    cityCode: string,
    wanted: Map<string, { enrollmentId: string; voucherId: string; date: string; minutes: number; flags: string[] }>,
    start: string,
    end: string,
    actor: ReturnType<typeof actorOf>,
  ) {
    const existing = await em.find(Attendance, { program: program.id, sessionDate: { $gte: start, $lt: end } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
    const counts = { created: 0, changed: 0, withdrawn: 0, keptDecided: 0 };
    const audit = (action: string, a: Attendance, before: Record<string, unknown> | null, after: Record<string, unknown> | null) =>
      recordAudit(em, actor, { action, entityType: 'Attendance', entityId: a.id, cityCode, before: before ?? undefined, after: after ?? undefined });
    const state = (a: Attendance) => ({ programId: program.id, enrollmentId: a.enrollment.id, sessionDate: a.sessionDate, minutes: a.minutes, flags: a.flags, status: a.status, timesheetId: a.timesheet?.id ?? null });
    for (const a of existing) {
      const want = wanted.get(`${a.voucher.id}|${a.sessionDate}`);
      wanted.delete(`${a.voucher.id}|${a.sessionDate}`);
      if (a.status !== AttendanceStatus.RECORDED || a.paymentLineId) {
        if (want) counts.keptDecided++;
        continue;
      }
      if (!want) {
        audit('ATTENDANCE_WITHDRAWN', a, state(a), null);
        em.remove(a);
        counts.withdrawn++;
      } else if (want.minutes !== a.minutes || !sameFlags(want.flags, a.flags)) {
        const before = state(a);
        if (!sameFlags(want.flags, a.flags)) Object.assign(a, { flags: want.flags, flagsClearedAt: null, flagsClearedBy: null });
        a.minutes = want.minutes;
        a.timesheet = ref(sheet);
        audit('ATTENDANCE_CHANGED', a, before, state(a));
        counts.changed++;
      }
    }
    for (const want of wanted.values()) {
      const a = new Attendance(ref(em.getReference(Enrollment, want.enrollmentId)), ref(em.getReference(Voucher, want.voucherId)), ref(program), want.date, want.minutes);
      Object.assign(a, { flags: want.flags, timesheet: ref(sheet), recordedAt: this.clock() });
      em.persist(a);
      audit('ATTENDANCE_RECORDED', a, null, state(a));
      counts.created++;
    }
    await em.flush();
    return counts;
  }

  private async result(em: EntityManager, sheet: Timesheet, counts: Omit<TimesheetResult, 'timesheet' | 'flagged' | 'sessionCount'>): Promise<TimesheetResult> {
    const [start, end] = monthBounds(sheet.month);
    const month = { program: sheet.program.id, sessionDate: { $gte: start, $lt: end } };
    const [flagged, sessionCount] = await Promise.all([
      em.find(Attendance, { ...month, flags: { $overlap: Object.values(TimesheetCheck) }, flagsClearedAt: null }, { orderBy: { sessionDate: 'asc', id: 'asc' } }),
      em.count(Attendance, month),
    ]);
    return { timesheet: sheet, flagged, sessionCount, ...counts };
  }
}

const REFUSAL: Record<TimesheetCheck, string> = {
  HOLIDAY: 'a holiday in the city',
  OFF_SCHEDULE: 'the program has no session on this weekday',
  OVER_SLOT: 'more minutes than the program’s slot that day',
  OVERLAP: 'the child has a session at another provider at an overlapping time',
  SUSPENDED: 'the voucher, the provider or the program was suspended that day',
};

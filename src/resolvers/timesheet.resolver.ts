import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import { EnrollmentStatus } from '../domain/enums.js';
import type { Program } from '../entities/index.js';
import { AttendanceConnection, AttendancesPayload } from '../schema/attendance.type.js';
import { toConnection } from '../schema/common.js';
import { ProgramType } from '../schema/program.type.js';
import {
  ClearSessionFlagsInput,
  EnrollmentConnection,
  FlagReviewStatus,
  HolidaysPayload,
  HolidayType,
  RecordTimesheetInput,
  RecordTimesheetPayload,
  SetHolidaysInput,
} from '../schema/timesheet.type.js';

/** The provider's working month: timesheets, the operator's review of flagged sessions, the city's holidays. */
@Resolver()
export class TimesheetResolver {
  @Mutation(() => RecordTimesheetPayload, {
    description:
      'PROVIDER: records a program’s whole month. The sheet replaces the sessions parents have not answered yet (confirmed and disputed ones stay); resubmitting the same sheet changes nothing. Sessions are checked against the program’s schedule and the city’s holidays and are refused or flagged per the city’s rules; a refused line refuses the whole sheet.',
  })
  async recordTimesheet(@Ctx() ctx: Context, @Arg('input', () => RecordTimesheetInput) input: RecordTimesheetInput) {
    return ctx.services.timesheets.record(ctx.viewer, input);
  }

  @Query(() => AttendanceConnection, { description: 'OPERATOR of the city or ADMIN: flagged sessions to review (held from settlement while OPEN), oldest first.' })
  async flaggedSessions(
    @Ctx() ctx: Context,
    @Arg('city', () => String, { description: 'City code.' }) city: string,
    @Arg('status', () => FlagReviewStatus, { nullable: true, description: 'OPEN (default) or CLEARED.' }) status?: FlagReviewStatus,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.sessionFlags.list(ctx.viewer, city, status ?? FlagReviewStatus.OPEN, { first, after }));
  }

  @Mutation(() => AttendancesPayload, { description: 'OPERATOR of the city or ADMIN: clears flagged sessions; they are paid once confirmed. Clearing again changes nothing.' })
  async clearSessionFlags(@Ctx() ctx: Context, @Arg('input', () => ClearSessionFlagsInput) input: ClearSessionFlagsInput) {
    return { attendances: await ctx.services.sessionFlags.clear(ctx.viewer, input.attendanceIds, input.note) };
  }

  @Query(() => [HolidayType], { description: 'A city’s holidays of a year, by date. Public.' })
  holidays(
    @Ctx() ctx: Context,
    @Arg('city', () => String, { description: 'City code.' }) city: string,
    @Arg('year', () => String, { nullable: true, description: '"YYYY"; default: the current year in the city.' }) year?: string,
  ) {
    return ctx.services.holidays.list(city, year);
  }

  @Mutation(() => HolidaysPayload, { description: 'OPERATOR of the city or ADMIN: sets the city’s holidays of a year (replacing that year’s list); audited.' })
  async setHolidays(@Ctx() ctx: Context, @Arg('input', () => SetHolidaysInput) input: SetHolidaysInput) {
    return { holidays: await ctx.services.holidays.setYear(ctx.viewer, input.city, input.year, input.holidays) };
  }

  @Query(() => EnrollmentConnection, { description: 'PROVIDER: the children enrolled in your programs (name and age only), with enrollment dates and status; newest last.' })
  async myRoster(
    @Ctx() ctx: Context,
    @Arg('programId', () => ID, { nullable: true, description: 'Only this program.' }) programId?: string,
    @Arg('status', () => EnrollmentStatus, { nullable: true, description: 'Only this status (e.g. ACTIVE).' }) status?: EnrollmentStatus,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.rosters.mine(ctx.viewer, { programId, status }, { first, after }));
  }
}

@Resolver(() => ProgramType)
export class ProgramRosterResolver {
  @FieldResolver(() => EnrollmentConnection, {
    description: 'The program’s roster (its PROVIDER, the city’s OPERATOR, AGENCY, ADMIN): enrollments with the child’s name and age as the access policy allows; oldest first.',
  })
  async enrollments(
    @Root() program: Program,
    @Ctx() ctx: Context,
    @Arg('status', () => EnrollmentStatus, { nullable: true, description: 'Only this status (e.g. ACTIVE).' }) status?: EnrollmentStatus,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.rosters.ofProgram(ctx.viewer, program, status, { first, after }));
  }
}

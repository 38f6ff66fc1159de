import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { Attendance, Child, Enrollment, Program } from '../entities/index.js';
import {
  AttendanceConnection,
  AttendanceFilter,
  AttendancePayload,
  AttendancesPayload,
  AttendanceType,
  ConfirmAttendanceInput,
  DisputeAttendanceInput,
  RecordAttendanceInput,
} from '../schema/attendance.type.js';
import { ChildType } from '../schema/child.type.js';
import { toConnection } from '../schema/common.js';
import { EnrollmentType } from '../schema/offer.type.js';
import { ProgramType } from '../schema/program.type.js';

@Resolver(() => AttendanceType)
export class AttendanceResolver {
  @Query(() => AttendanceConnection, { description: 'Sessions: a parent’s children’s, a provider’s programs’, an operator’s city’s, or all for agencies and admins.' })
  async attendances(
    @Ctx() ctx: Context,
    @Arg('filter', () => AttendanceFilter, { nullable: true }) filter?: AttendanceFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.attendance.list(ctx.viewer, filter, { first, after }));
  }

  @Mutation(() => AttendancesPayload, { description: 'PROVIDER: records a session for the enrolled children present. Recording it again changes nothing.' })
  async recordAttendance(@Ctx() ctx: Context, @Arg('input', () => RecordAttendanceInput) input: RecordAttendanceInput) {
    return { attendances: await ctx.services.attendance.record(ctx.viewer, input) };
  }

  @Mutation(() => AttendancesPayload, { description: 'PARENT: confirms that your child attended; only confirmed sessions are paid.' })
  async confirmAttendance(@Ctx() ctx: Context, @Arg('input', () => ConfirmAttendanceInput) input: ConfirmAttendanceInput) {
    return { attendances: await ctx.services.attendance.confirm(ctx.viewer, input.attendanceIds, input.idempotencyKey) };
  }

  @Mutation(() => AttendancePayload, { description: 'PARENT: disputes a session; it is not paid, and holds only its own payment line.' })
  async disputeAttendance(@Ctx() ctx: Context, @Arg('input', () => DisputeAttendanceInput) input: DisputeAttendanceInput) {
    return { attendance: await ctx.services.attendance.dispute(ctx.viewer, input.attendanceId, input.reason) };
  }

  @FieldResolver(() => Number, { description: 'Duration in hours.' })
  hours(@Root() attendance: Attendance): number {
    return attendance.minutes / 60;
  }

  @FieldResolver(() => EnrollmentType, { description: 'The enrollment the session belongs to.' })
  enrollment(@Root() attendance: Attendance, @Ctx() ctx: Context): Promise<Enrollment> {
    return ctx.loaders.enrollment.load(attendance.enrollment.id);
  }

  @FieldResolver(() => ProgramType, { description: 'The program.' })
  program(@Root() attendance: Attendance, @Ctx() ctx: Context): Promise<Program> {
    return ctx.loaders.program.load(attendance.program.id);
  }

  @FieldResolver(() => ChildType, { description: 'The child.' })
  async child(@Root() attendance: Attendance, @Ctx() ctx: Context): Promise<Child> {
    const enrollment = await ctx.loaders.enrollment.load(attendance.enrollment.id);
    const voucher = await ctx.loaders.voucher.load(enrollment.voucher.id);
    return ctx.loaders.child.load(voucher.child.id);
  }
}

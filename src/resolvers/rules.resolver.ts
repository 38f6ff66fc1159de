import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Direction, TimesheetCheck } from '../domain/enums.js';
import { DEFAULT_TIMESHEET_CHECKS } from '../entities/city-rules.entity.js';
import { TimesheetCheckRuleType } from '../schema/timesheet.type.js';
import { money, MoneyType } from '../schema/money.type.js';
import type { Context } from '../context.js';
import type { CityRules } from '../entities/index.js';
import { toConnection } from '../schema/common.js';
import {
  AuditEventConnection,
  AuditFilter,
  CityRulesPayload,
  CityRulesType,
  DirectionRateType,
  QuotaPayload,
  SetQuotaInput,
  UpdateCityRulesInput,
} from '../schema/rules.type.js';

@Resolver(() => CityRulesType)
export class RulesResolver {
  @Query(() => CityRulesType, { description: 'The rules in force in a city. Public: anyone can see how the queue works.' })
  cityRules(@Ctx() ctx: Context, @Arg('city', () => String, { description: 'City code.' }) city: string): Promise<CityRules> {
    return ctx.services.rules.current(city);
  }

  @Query(() => [CityRulesType], { description: 'Every version of a city’s rules, newest first. Public.' })
  cityRulesHistory(@Ctx() ctx: Context, @Arg('city', () => String, { description: 'City code.' }) city: string): Promise<CityRules[]> {
    return ctx.services.rules.history(city);
  }

  @Mutation(() => CityRulesPayload, { description: 'OPERATOR of the city or ADMIN: changes the rules; a new version, effective now.' })
  async updateCityRules(@Ctx() ctx: Context, @Arg('input', () => UpdateCityRulesInput) input: UpdateCityRulesInput) {
    return { rules: await ctx.services.rules.update(ctx.viewer, input) };
  }

  @Mutation(() => QuotaPayload, { description: 'OPERATOR of the city or ADMIN: sets how many vouchers of a type the city may hold out in a year.' })
  async setQuota(@Ctx() ctx: Context, @Arg('input', () => SetQuotaInput) input: SetQuotaInput) {
    return { quota: await ctx.services.issuing.setQuota(ctx.viewer, input) };
  }

  @Query(() => AuditEventConnection, { description: 'OPERATOR (own city), AGENCY, ADMIN: the append-only log of queue and voucher changes, oldest first.' })
  async auditLog(
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter?: AuditFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.audit.list(ctx.viewer, filter, { first, after }));
  }

  @FieldResolver(() => [DirectionRateType], { description: 'Hourly rate per direction.' })
  rates(@Root() rules: CityRules): DirectionRateType[] {
    return Object.values(Direction).map((direction) => ({ direction, perHour: money(rules.ratesTiynPerHour[direction] ?? 0) }));
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Most hours paid per voucher per month; null: no cap.' })
  monthlyCapHours(@Root() rules: CityRules): number | null {
    return rules.monthlyCapMinutes == null ? null : rules.monthlyCapMinutes / 60;
  }

  @FieldResolver(() => [TimesheetCheckRuleType], { description: 'Per timesheet check, whether a failing session is refused or flagged for the operator.' })
  timesheetChecks(@Root() rules: CityRules): TimesheetCheckRuleType[] {
    const actions = { ...DEFAULT_TIMESHEET_CHECKS, ...rules.timesheetChecks };
    return Object.values(TimesheetCheck).map((check) => ({ check, action: actions[check] }));
  }

  @FieldResolver(() => MoneyType, { nullable: true, description: 'Most paid per voucher per month; null: no cap.' })
  monthlyCapAmount(@Root() rules: CityRules): MoneyType | null {
    return rules.monthlyCapTiyn == null ? null : money(rules.monthlyCapTiyn);
  }
}

import { getNamedType, getNullableType, isListType, isObjectType, type GraphQLField, type GraphQLSchema, isLeafType, defaultFieldResolver } from 'graphql';

/**
 * The largest number of items every list field of the schema can return, in one table. The cost
 * estimator (src/http/operation-guard.ts) multiplies by these sizes, so a nested list cannot make
 * a small query return tens of thousands of objects, and `applyListLimits` caps what the resolvers
 * return to the same size, so the estimate is a bound and not a hope.
 *
 * Paged fields (with a `first` argument) are sized by `first` instead; a connection's `edges` are
 * already counted by that `first`. Lists of scalars and enums are cheap and left out.
 * `keep: 'last'` keeps the newest items of a list ordered oldest first.
 */
export interface ListLimit {
  max: number;
  keep: 'first' | 'last';
}

export const LIST_LIMITS: Readonly<Record<string, ListLimit>> = {
  // Root lists
  'Query.apiKeys': { max: 500, keep: 'last' },
  'Query.budgets': { max: 200, keep: 'first' },
  'Query.cities': { max: 50, keep: 'first' },
  'Query.cityRulesHistory': { max: 100, keep: 'first' },
  'Query.myApplications': { max: 50, keep: 'last' },
  'Query.myChildren': { max: 20, keep: 'first' },
  'Query.queueStats': { max: 100, keep: 'first' },
  /** setHolidays accepts at most 60 a year (holiday.service.ts). */
  'Query.holidays': { max: 60, keep: 'first' },
  // Nested lists
  'Child.applications': { max: 20, keep: 'last' },
  'Child.attendances': { max: 50, keep: 'last' },
  'Voucher.enrollments': { max: 20, keep: 'last' },
  'Payment.lines': { max: 1000, keep: 'first' },
  /** One session per enrollment and date, one month per payment. */
  'PaymentLine.attendances': { max: 31, keep: 'first' },
  'CityRules.rates': { max: 20, keep: 'first' },
  /** One per TimesheetCheck. */
  'CityRules.timesheetChecks': { max: 10, keep: 'first' },
  /** Programs accept at most 14 weekly slots (program.service.ts). */
  'Program.schedule': { max: 14, keep: 'first' },
  'Program.weeklySchedule': { max: 14, keep: 'first' },
  // Mutation results: as many as the input asked for, bounded by the request size.
  'AttendancesPayload.attendances': { max: 1000, keep: 'first' },
  'IssueVouchersPayload.offers': { max: 1000, keep: 'first' },
  'SettlePeriodPayload.payments': { max: 1000, keep: 'first' },
  // A statement has at most 5,000 lines (statement.service.ts); a provider's bank details are newest first.
  'BankStatement.problems': { max: 5000, keep: 'first' },
  'BankStatement.paid': { max: 5000, keep: 'first' },
  'BankStatement.failed': { max: 5000, keep: 'first' },
  'Provider.bankDetailsHistory': { max: 50, keep: 'first' },
  'HolidaysPayload.holidays': { max: 60, keep: 'first' },
  /** The sheet's flagged sessions; the whole month is read paged, through `attendances`. */
  'RecordTimesheetPayload.flagged': { max: 1000, keep: 'first' },
};

const isPaged = (field: GraphQLField<unknown, unknown>) => field.args.some((a) => a.name === 'first');
const isEdges = (typeName: string, fieldName: string) => fieldName === 'edges' && typeName.endsWith('Connection');

/** Lists of objects, i.e. the fields that need a size: every one must be paged or in LIST_LIMITS. */
export function unboundedListFields(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type)) || isLeafType(getNamedType(field.type))) continue;
      const key = `${type.name}.${field.name}`;
      if (!LIST_LIMITS[key] && !isPaged(field) && !isEdges(type.name, field.name)) missing.push(key);
    }
  }
  return missing;
}

/**
 * How many items a field's list is counted as: `first` (capped at `maxPage`) for paged fields,
 * 1 for a connection's edges (counted by `first`) and for non-lists, the table's size otherwise.
 */
export function listSize(typeName: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, page: { default: number; max: number }): number {
  if (isPaged(field)) {
    const first = typeof args.first === 'number' ? args.first : page.default;
    return Math.max(1, Math.min(first, page.max));
  }
  if (!isListType(getNullableType(field.type)) || isEdges(typeName, field.name)) return 1;
  return LIST_LIMITS[`${typeName}.${field.name}`]?.max ?? 1;
}

/**
 * Caps what every field in LIST_LIMITS returns, and says so in its description. Applied once to
 * the built schema, after the field's own resolver (and so after any access filtering it does).
 * Refuses to build a schema with a list of objects that has no size.
 */
export function applyListLimits(schema: GraphQLSchema): GraphQLSchema {
  const missing = unboundedListFields(schema);
  if (missing.length > 0) throw new Error(`List fields without a size in LIST_LIMITS (src/schema/list-limits.ts): ${missing.join(', ')}`);
  for (const [key, limit] of Object.entries(LIST_LIMITS)) {
    const [typeName, fieldName] = key.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) throw new Error(`LIST_LIMITS names ${key}, which is not in the schema`);
    const resolve = field.resolve ?? defaultFieldResolver;
    const cap = (items: unknown) =>
      Array.isArray(items) && items.length > limit.max ? (limit.keep === 'last' ? items.slice(-limit.max) : items.slice(0, limit.max)) : items;
    field.resolve = (source, args, context, info) => {
      const result = resolve(source, args, context, info);
      return result instanceof Promise ? result.then(cap) : cap(result);
    };
    const note = limit.keep === 'last' ? `At most ${limit.max} (the most recent).` : `At most ${limit.max}.`;
    field.description = field.description ? `${field.description} ${note}` : note;
  }
  return schema;
}

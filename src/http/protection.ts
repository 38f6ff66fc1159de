import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Viewer } from '../auth/viewer.js';
import { Role } from '../domain/enums.js';

export interface Limits {
  maxDepth: number;
  maxAliases: number;
  /**
   * graphql-armor's cost model (objects 2, scalars 1, ×1.5 per level), × each list's size: `first`
   * as sent (literal or variable) for paged fields, LIST_LIMITS for the others. Checked before
   * execution with the operation's variables (src/http/operation-guard.ts), over HTTP and WebSocket.
   */
  maxCost: number;
  /**
   * The same for signed-in staff (PROVIDER, OPERATOR, AGENCY, ADMIN): few, accountable, rate
   * limited, and their work reads statements (a payment's up to 1,000 lines with their sessions).
   */
  maxCostStaff: number;
  /** Request bodies and WebSocket messages, in bytes. */
  maxPayloadBytes: number;
}

/** Limits every operation must pass, over HTTP and WebSocket alike. */
export const DEFAULT_LIMITS: Limits = {
  /** Deep enough for `programs { edges { node { provider { city { name { kk } } } } } }` and more. */
  maxDepth: 10,
  maxAliases: 15,
  /** List sizes are counted (LIST_LIMITS), so a family’s overview with its nested lists costs ~31,000. */
  maxCost: 50_000,
  /** One payment's lines with their session dates cost ~185,000. */
  maxCostStaff: 500_000,
  maxPayloadBytes: 100 * 1024,
};

/**
 * Validation rules added to GraphQL's specified ones (which already bound introspection depth).
 * Page sizes are capped in the services (`first` ≤ 100), whatever the query says. The cost is
 * not a validation rule: validation never sees the variables, and `first: $n` must count too.
 */
export function protectionRules(limits: Limits): ValidationRule[] {
  // graphql-armor throws from inside validation by default, which servers treat as a crash (500);
  // reporting the error instead makes it an ordinary validation error (400, BAD_USER_INPUT).
  const report = {
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, '')))],
    exposeLimits: true,
  };
  return [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...report }),
    maxAliasesRule({ n: limits.maxAliases, ...report }),
  ] as ValidationRule[];
}

/** The cost limit for a caller: anonymous callers and families share the lower one. */
export const maxCostFor = (limits: Limits, viewer: Viewer): number =>
  viewer.role === Role.PUBLIC || viewer.role === Role.PARENT ? limits.maxCost : limits.maxCostStaff;

import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

export interface Limits {
  maxDepth: number;
  maxAliases: number;
  /** graphql-armor's cost: objects 2, scalars 1, ×1.5 per level, ×`first` for lists given a literal page size. */
  maxCost: number;
  /** Request bodies and WebSocket messages, in bytes. */
  maxPayloadBytes: number;
}

/** Limits every operation must pass, over HTTP and WebSocket alike. */
export const DEFAULT_LIMITS: Limits = {
  /** Deep enough for `programs { edges { node { provider { city { name { kk } } } } } }` and more. */
  maxDepth: 10,
  maxAliases: 15,
  maxCost: 20_000,
  maxPayloadBytes: 100 * 1024,
};

/**
 * Validation rules added to GraphQL's specified ones (which already bound introspection depth).
 * Page sizes are capped in the services (`first` ≤ 100), whatever the query says.
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
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, ...report }),
  ] as ValidationRule[];
}

import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { ValidationRule } from 'graphql';

/** Limits every operation must pass, over HTTP and WebSocket alike. */
export const LIMITS = {
  /** Deep enough for `programs { edges { node { provider { city { name { kk } } } } } }` and more. */
  maxDepth: 10,
  maxAliases: 15,
  maxCost: 5000,
  /** Request bodies and WebSocket messages. */
  maxPayloadBytes: 100 * 1024,
} as const;

/** Validation rules added to GraphQL's specified ones. Page sizes are capped in the services (`first` ≤ 100). */
export const PROTECTION_RULES: ValidationRule[] = [
  maxDepthRule({ n: LIMITS.maxDepth, ignoreIntrospection: true, exposeLimits: true }),
  maxAliasesRule({ n: LIMITS.maxAliases, exposeLimits: true }),
  costLimitRule({ maxCost: LIMITS.maxCost, ignoreIntrospection: true, exposeLimits: true }),
] as ValidationRule[];

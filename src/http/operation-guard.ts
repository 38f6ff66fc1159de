import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isCompositeType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
} from 'graphql';
import type { Context } from '../context.js';
import { DomainError, ErrorCode, refusal } from '../errors.js';
import { isUuid } from '../ids.js';
import { listSize } from '../schema/list-limits.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../services/pagination.js';
import { type Limits, maxCostFor } from './protection.js';
import type { RateLimits } from './rate-limits.js';

/**
 * graphql-armor's cost model (objects 2, scalars 1, ×1.5 per level), computed with the operation's
 * own variables and knowing every list's size: `first` for paged fields, LIST_LIMITS for the rest.
 */
const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;

/** 400 over HTTP: the request, not the server, is at fault. */
const refused = (message: string, extensions: Record<string, unknown>) => refusal(ErrorCode.BAD_USER_INPUT, message, extensions);

/**
 * Checks one resolved operation before it runs, over HTTP (an Apollo plugin) and WebSocket alike:
 * its cost, counted with its variables, and every input value, whether written inline or passed
 * as a variable — each ID must be a UUID (ids are UUIDs; anything else could only fail deeper
 * down, in PostgreSQL) and no text may contain a NUL character (PostgreSQL refuses them).
 * Returns the first problem, or null. Variables that do not fit their types are left to
 * execution, which reports them with the same code.
 */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown> | null | undefined,
  maxCost: number,
): DomainError | null {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return null;
  const variables = coerced.coerced;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  let problem: DomainError | null = null;
  const page = { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE };

  const selectionCost = (parent: GraphQLCompositeType, set: SelectionSetNode): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') {
          cost += SCALAR_COST;
          continue;
        }
        // Introspection is bounded by graphql-js's own MaxIntrospectionDepthRule.
        if (name === '__schema' || name === '__type') continue;
        const field = 'getFields' in parent ? parent.getFields()[name] : undefined;
        if (!field) continue;
        let args: Record<string, unknown> = {};
        try {
          args = getArgumentValues(field, selection, variables);
        } catch {
          continue; // reported by execution
        }
        problem ??= checkArguments(field.args, args);
        const type = getNamedType(field.type);
        if (isLeafType(type) || !selection.selectionSet || !isCompositeType(type)) {
          cost += SCALAR_COST;
          continue;
        }
        const size = listSize(parent.name, field, args, page);
        cost += size * (OBJECT_COST + DEPTH_FACTOR * selectionCost(type, selection.selectionSet));
      } else {
        const condition = selection.kind === Kind.INLINE_FRAGMENT ? selection.typeCondition : fragments.get(selection.name.value)?.typeCondition;
        const set = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
        if (!set) continue;
        const type = condition ? schema.getType(condition.name.value) : parent;
        // A fragment's fields count as if written in place (on an abstract type, every branch counts).
        if (type && isCompositeType(type)) cost += selectionCost(type, set);
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  if (!root) return null;
  const cost = Math.round(selectionCost(root, operation.selectionSet));
  if (problem) return problem;
  if (cost > maxCost) {
    return refused(`Query Cost limit of ${maxCost} exceeded, found ${cost}. Ask for fewer items (a smaller \`first\`), fewer aliases or less nesting.`, {
      reason: 'COST_LIMIT',
      cost,
      maxCost,
    });
  }
  return null;
}

function checkArguments(defs: readonly GraphQLArgument[], values: Record<string, unknown>): DomainError | null {
  for (const def of defs) {
    const problem = checkValue(def.type, values[def.name], def.name);
    if (problem) return problem;
  }
  return null;
}

function checkValue(type: GraphQLInputType, value: unknown, path: string): DomainError | null {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return checkValue(type.ofType, value, path);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const problem = checkValue(type.ofType, items[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) {
      const problem = checkValue(field.type, (value as Record<string, unknown>)[field.name], `${path}.${field.name}`);
      if (problem) return problem;
    }
    return null;
  }
  if (isScalarType(type) && typeof value === 'string') {
    if (value.includes('\u0000')) return refused(`${path} must not contain a NUL character (\\u0000).`, { field: path });
    if (type.name === 'ID' && !isUuid(value)) return refused(`${path} is not an id returned by this API.`, { field: path });
  }
  return null;
}

/**
 * The HTTP side: once Apollo knows the operation (and the context its caller), count it against
 * the caller's rate limits, then check it. Nothing has executed yet, so a refusal writes nothing.
 */
export function operationGuardPlugin(limits: Limits, rateLimits: RateLimits): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return; // Apollo has already refused it
          await rateLimits.caller(contextValue.viewer, operation.operation === 'mutation');
          const problem = checkOperation(schema, document, operation, request.variables, maxCostFor(limits, contextValue.viewer));
          if (problem) throw problem;
        },
      };
    },
  };
}

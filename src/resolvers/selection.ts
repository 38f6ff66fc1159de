import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether the client selected `field` directly on this resolver's result (inline fragments
 * included). Used to fetch a costly field in the parent's own statement; a miss (say, behind a
 * named fragment) only means the field resolver loads it itself.
 */
export function selects(info: GraphQLResolveInfo, field: string): boolean {
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) => (s.kind === Kind.FIELD && s.name.value === field) || (s.kind === Kind.INLINE_FRAGMENT && inSet(s.selectionSet)));
  return info.fieldNodes.some((node) => inSet(node.selectionSet));
}

import { conflict } from '../errors.js';

/** An explicit table of allowed status changes: from → the statuses it may move to. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

export function canTransition<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/**
 * The only way a status changes: returns the new status, or throws CONFLICT naming the illegal
 * move. `what` names the aggregate for the message ("Provider").
 */
export function transition<S extends string>(table: TransitionTable<S>, what: string, from: S, to: S): S {
  if (!canTransition(table, from, to)) {
    throw conflict(`${what} cannot move from ${from} to ${to}.`, { from, to });
  }
  return to;
}

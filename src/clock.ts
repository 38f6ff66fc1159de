/**
 * Where services read the time (STYLE: time is a dependency). The server passes its clock to the
 * services of every operation; tests give their server one they can move, so a deadline can pass
 * without waiting for it and without back-dating rows.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

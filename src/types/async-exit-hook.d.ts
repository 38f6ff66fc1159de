// async-exit-hook ships no types; Kezek uses only unhookEvent (see src/db/embedded-postgres.ts).
declare module 'async-exit-hook' {
  const exitHook: { unhookEvent(event: string): void };
  export default exitHook;
}

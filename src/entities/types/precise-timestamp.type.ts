import { type Platform, Type } from '@mikro-orm/core';

/**
 * A timestamptz read as an ISO-8601 string with microseconds ("2026-06-01T09:00:00.123456Z").
 * JavaScript dates stop at milliseconds; queue order is decided by submission time to the
 * microsecond, so the value never passes through a Date.
 */
export class PreciseTimestampType extends Type<string | null | undefined, string | null | undefined> {
  override getColumnType(): string {
    return 'timestamptz(6)';
  }

  override convertToJSValueSQL(key: string, _platform: Platform): string {
    return `to_char(${key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  }

  override compareAsType(): string {
    return 'string';
  }

  override ensureComparable(): boolean {
    return false;
  }
}

import type { Request, Response, Router } from 'express';
import express from 'express';
import { CsvError, parse } from 'csv-parse/sync';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TimesheetInput } from '../services/timesheet-input.js';
import { sendError } from './error-response.js';
import type { RequestContext } from './exports.js';

/** The timesheet CSV's columns, in order (README "The provider's working month"). */
export const TIMESHEET_COLUMNS = ['enrollment_id', 'date', 'minutes'] as const;
const MAX_CSV_BYTES = 1024 * 1024;

const lineError = (line: number, message: string) => new DomainError(ErrorCode.BAD_USER_INPUT, `Line ${line}: ${message}`, { field: `line ${line}`, line });

/**
 * The CSV as a sheet: a header line naming the three columns, then one line per session. Lines
 * are numbered as a spreadsheet shows them (the header is line 1); a malformed line is refused
 * with its number before anything is read from the database.
 */
export function timesheetFromCsv(programId: string, month: string, text: string): TimesheetInput {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: true }) as never;
  } catch (err) {
    if (err instanceof CsvError) throw lineError((err as CsvError & { lines?: number }).lines ?? 1, `not readable as CSV (${err.message.replace(/^[A-Za-z_]+: /, '')}).`);
    throw err;
  }
  const [header, ...lines] = records;
  if (!header || header.record.map((c) => c.toLowerCase()).join(',') !== TIMESHEET_COLUMNS.join(',')) {
    throw lineError(header?.info.lines ?? 1, `the first line is the header "${TIMESHEET_COLUMNS.join(',')}".`);
  }
  const rows = new Map<string, TimesheetInput['rows'][number]>();
  for (const { record, info } of lines) {
    if (record.length !== TIMESHEET_COLUMNS.length) throw lineError(info.lines, `${record.length} columns; a line has ${TIMESHEET_COLUMNS.length}: ${TIMESHEET_COLUMNS.join(',')}.`);
    const [enrollmentId, date, minutes] = record as [string, string, string];
    if (!/^\d{1,4}$/.test(minutes)) throw lineError(info.lines, 'minutes is a whole number from 1 to 600.');
    const row = rows.get(enrollmentId) ?? { enrollmentId, sessions: [] };
    row.sessions.push({ date, minutes: Number(minutes), line: info.lines });
    rows.set(enrollmentId, row);
  }
  return { programId, month, rows: [...rows.values()] };
}

/**
 * POST /imports/timesheets/<programId>/<YYYY-MM> with a text/csv body: the same as the
 * recordTimesheet mutation (same credentials, context and rules), one request one sheet. Any bad
 * line refuses the whole sheet: nothing of it is written.
 */
export function importsRouter(contextOf: RequestContext, log: Logger): Router {
  const router = express.Router();
  router.post(
    '/imports/timesheets/:programId/:month',
    express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: MAX_CSV_BYTES }),
    async (req: Request, res: Response) => {
      try {
        const ctx = await contextOf(req, res);
        if (ctx.viewer.role === 'PUBLIC') throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Sign in to upload timesheets.');
        if (typeof req.body !== 'string') throw new DomainError(ErrorCode.BAD_USER_INPUT, 'Send the timesheet as CSV (content-type: text/csv).', { field: 'body' });
        const sheet = timesheetFromCsv(String(req.params.programId), String(req.params.month), req.body);
        const result = await ctx.services.timesheets.record(ctx.viewer, sheet);
        res.json({
          timesheet: { id: result.timesheet.id, month: result.timesheet.month, version: result.timesheet.version, submittedAt: result.timesheet.submittedAt },
          created: result.created,
          changed: result.changed,
          withdrawn: result.withdrawn,
          keptDecided: result.keptDecided,
          sessionCount: result.sessionCount,
          flagged: result.flagged.map((s) => ({ id: s.id, enrollmentId: s.enrollment.id, date: s.sessionDate, minutes: s.minutes, status: s.status, flags: s.flags })),
        });
      } catch (err) {
        // (A body too large or unreadable never gets here: the server's body error handler answers it.)
        if (err instanceof DomainError) return sendError(res, err);
        log.error({ err }, 'timesheet import failed');
        sendError(res, new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
      }
    },
  );
  return router;
}

import type { Request, Response, Router } from 'express';
import express from 'express';
import type DataLoader from 'dataloader';
import type { Context } from '../context.js';
import type { Payment } from '../entities/index.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { sendError } from './error-response.js';

/** tiyn → "1234.56": integer arithmetic only, so no float ever touches an amount. */
export function tenge(tiyn: string | number | bigint): string {
  const value = BigInt(tiyn);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/**
 * One CSV cell. Text a spreadsheet would read as a formula (=, +, -, @, tab or CR first) gets a
 * leading apostrophe, as OWASP advises against CSV injection: a child's or a provider's name is
 * typed by someone else and must never run in the reader's spreadsheet.
 */
export const cell = (value: unknown) => {
  const raw = value == null ? '' : String(value);
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};
const row = (values: unknown[]) => values.map(cell).join(',') + '\r\n';

/** Builds a request's context exactly as for a GraphQL operation (server.ts): viewer, fork, loaders, services. */
export type RequestContext = (req: Request, res: Response) => Promise<Context>;

/**
 * GET /exports/payments/<id>.csv: a provider's statement, one row per payment line with the
 * sessions it pays. Same credentials, context and visibility as the GraphQL `payment` query.
 */
export function exportsRouter(contextOf: RequestContext, log: Logger): Router {
  const router = express.Router();
  router.get('/exports/payments/:file', async (req: Request, res: Response) => {
    try {
      const match = /^([0-9a-f-]{36})\.csv$/i.exec(String(req.params.file));
      const ctx = await contextOf(req, res);
      if (ctx.viewer.role === 'PUBLIC') throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Sign in to download statements.');
      const payment = match ? await ctx.services.payments.find(ctx.viewer, match[1]!) : null;
      if (!payment) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment not found.');
      const body = await statement(ctx, payment);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="payment-${payment.period}-${payment.sequence}-${payment.id}.csv"`);
      res.send('\uFEFF' + body); // BOM: spreadsheet programs then read Kazakh and Russian text correctly
    } catch (err) {
      if (err instanceof DomainError) return sendError(res, err);
      log.error({ err }, 'export failed');
      sendError(res, new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
    }
  });
  return router;
}

/** Every key's value, in order, from one batch: one statement for the whole list, however long. */
const loadAll = <K, V>(loader: DataLoader<K, V>, keys: readonly K[]): Promise<V[]> => Promise.all(keys.map((key) => loader.load(key)));

/**
 * The statement's text. Each relation is read once for all its lines (lines, then enrollments,
 * then programs, vouchers and sessions together, then children and the name policy), so the
 * number of SQL statements does not grow with the number of lines.
 */
async function statement(ctx: Context, payment: Payment): Promise<string> {
  const { loaders } = ctx;
  const [provider, lines] = await Promise.all([loaders.provider.load(payment.provider.id), loaders.linesByPayment.load(payment.id)]);
  const enrollments = await loadAll(loaders.enrollment, lines.map((line) => line.enrollment.id));
  const [programs, vouchers, sessions] = await Promise.all([
    loadAll(loaders.program, enrollments.map((enrollment) => enrollment.program.id)),
    loadAll(loaders.voucher, enrollments.map((enrollment) => enrollment.voucher.id)),
    loadAll(loaders.attendancesByLine, lines.map((line) => line.id)),
  ]);
  const children = await loadAll(loaders.child, vouchers.map((voucher) => voucher.child.id));
  // The same policy as the API's `Child.fullName`: an agency's copy has no names.
  const named = await Promise.all(children.map((child) => ctx.privacy.mayRead('Child', child, 'fullName')));
  let body = row(['payment', payment.id, 'provider', provider.name, 'bin', provider.bin, 'period', payment.period, 'sequence', payment.sequence, 'status', payment.status, 'amount_kzt', tenge(payment.amountTiyn)]);
  body += row(['line', 'enrollment', 'child', 'program', 'direction', 'voucher_type', 'confirmed_hours', 'paid_hours', 'rate_kzt_per_hour', 'amount_kzt', 'held_sessions', 'sessions_paid']);
  lines.forEach((line, i) => {
    body += row([
      line.id, enrollments[i]!.id, named[i] ? children[i]!.fullName : '', programs[i]!.title.ru, line.direction, line.voucherType,
      line.confirmedMinutes / 60, line.paidMinutes / 60, tenge(line.rateTiynPerHour), tenge(line.amountTiyn), line.heldSessions,
      sessions[i]!.map((s) => s.sessionDate).join(' '),
    ]);
  });
  return body;
}

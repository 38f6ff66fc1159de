import type { Request, Response, Router } from 'express';
import express from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { createContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

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

/**
 * GET /exports/payments/<id>.csv: a provider's statement, one row per payment line with the
 * sessions it pays. Same credentials and visibility as the GraphQL `payment` query.
 */
export function exportsRouter(rootEm: EntityManager, tokens: TokenService, log: Logger): Router {
  const router = express.Router();
  router.get('/exports/payments/:file', async (req: Request, res: Response) => {
    try {
      const match = /^([0-9a-f-]{36})\.csv$/i.exec(String(req.params.file));
      const ctx = await createContext(
        rootEm,
        (services) => authenticate({ authorization: req.headers.authorization, apiKey: req.headers['x-api-key'] }, tokens, services.apiKeys),
        String(res.locals.requestId),
        log,
      );
      if (ctx.viewer.role === 'PUBLIC') throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Sign in to download statements.');
      const payment = match ? await ctx.services.payments.find(ctx.viewer, match[1]!) : null;
      if (!payment) return void res.status(404).json({ errors: [{ message: 'Payment not found.', extensions: { code: ErrorCode.NOT_FOUND } }] });
      const provider = await ctx.loaders.provider.load(payment.provider.id);
      const lines = await ctx.loaders.linesByPayment.load(payment.id);
      let body = row(['payment', payment.id, 'provider', provider.name, 'bin', provider.bin, 'period', payment.period, 'sequence', payment.sequence, 'status', payment.status, 'amount_kzt', tenge(payment.amountTiyn)]);
      body += row(['line', 'enrollment', 'child', 'program', 'direction', 'voucher_type', 'confirmed_hours', 'paid_hours', 'rate_kzt_per_hour', 'amount_kzt', 'held_sessions', 'sessions_paid']);
      for (const line of lines) {
        const enrollment = await ctx.loaders.enrollment.load(line.enrollment.id);
        const program = await ctx.loaders.program.load(enrollment.program.id);
        const voucher = await ctx.loaders.voucher.load(enrollment.voucher.id);
        const child = await ctx.loaders.child.load(voucher.child.id);
        // The same policy as the API's `Child.fullName`: an agency's copy has no names.
        const childName = (await ctx.privacy.mayRead('Child', child, 'fullName')) ? child.fullName : '';
        const sessions = await ctx.loaders.attendancesByLine.load(line.id);
        body += row([
          line.id, enrollment.id, childName, program.title.ru, line.direction, line.voucherType,
          line.confirmedMinutes / 60, line.paidMinutes / 60, tenge(line.rateTiynPerHour), tenge(line.amountTiyn), line.heldSessions,
          sessions.map((s) => s.sessionDate).join(' '),
        ]);
      }
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="payment-${payment.period}-${payment.sequence}-${payment.id}.csv"`);
      res.send('\uFEFF' + body); // BOM: spreadsheet programs then read Kazakh and Russian text correctly
    } catch (err) {
      if (err instanceof DomainError) {
        const status = err.code === ErrorCode.UNAUTHENTICATED ? 401 : err.code === ErrorCode.FORBIDDEN ? 403 : 400;
        return void res.status(status).json({ errors: [{ message: err.message, extensions: { code: err.code } }] });
      }
      log.error({ err }, 'export failed');
      res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
    }
  });
  return router;
}

import type { Request, Response, Router } from 'express';
import express from 'express';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { paymentReference, type PaymentOrder, sha256 } from '../services/treasury.service.js';
import { sendError } from './error-response.js';
import { cell, type RequestContext, tenge } from './exports.js';

/** The payment order's columns, in order (README "Payments the treasury executes"). */
export const ORDER_COLUMNS = ['payment_id', 'provider_bin', 'provider_name', 'iban', 'bik', 'amount_tiyn', 'amount_kzt', 'period', 'sequence', 'due_date', 'reference'] as const;

/** The header carrying the SHA-256 of the body as sent (hex), so the treasury can check the file it received. */
export const CHECKSUM_HEADER = 'x-kezek-checksum-sha256';

const csvRow = (values: unknown[]) => values.map(cell).join(',') + '\r\n';

/** The order as CSV: the header, one row per payment, and a TOTAL row (the count in provider_name, the sums in the amount columns). */
export function orderCsv(order: PaymentOrder): string {
  let body = csvRow([...ORDER_COLUMNS]);
  for (const row of order.rows) {
    body += csvRow([row.payment_id, row.provider_bin, row.provider_name, row.iban, row.bik, row.amount_tiyn, tenge(row.amount_tiyn), row.period, row.sequence, row.due_date, paymentReference(row)]);
  }
  return body + csvRow(['TOTAL', '', `${order.totals.count} payments`, '', '', order.totals.amountTiyn, tenge(order.totals.amountTiyn), order.period ?? '', '', '', '']);
}

/** The order as JSON; `checksum` is the SHA-256 of the JSON text of `{ city, period, payments, totals }` exactly as sent before it. */
export function orderJson(order: PaymentOrder): { text: string; checksum: string } {
  const document = {
    city: order.city,
    period: order.period,
    payments: order.rows.map((row) => ({
      paymentId: row.payment_id,
      providerBin: row.provider_bin,
      providerName: row.provider_name,
      iban: row.iban,
      bik: row.bik,
      amountTiyn: row.amount_tiyn,
      amountKzt: tenge(row.amount_tiyn),
      period: row.period,
      sequence: row.sequence,
      dueDate: row.due_date,
      reference: paymentReference(row),
    })),
    totals: { count: order.totals.count, amountTiyn: order.totals.amountTiyn, amountKzt: tenge(order.totals.amountTiyn) },
  };
  const inner = JSON.stringify(document);
  const checksum = sha256(inner);
  return { text: `${inner.slice(0, -1)},"checksum":"${checksum}"}`, checksum };
}

/**
 * GET /exports/payment-order.{csv,json}?city=CODE[&period=YYYY-MM]: the city's APPROVED payments
 * as an order the treasury executes, with the bank details each was approved under.
 * GET /exports/acts/<providerId>/<YYYY-MM>.json: a provider's monthly act of services.
 * Same credentials and context as the GraphQL API; the services check access.
 */
export function treasuryExportsRouter(contextOf: RequestContext, log: Logger): Router {
  const router = express.Router();
  const handle = (work: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await work(req, res);
    } catch (err) {
      if (err instanceof DomainError) return sendError(res, err);
      log.error({ err }, 'treasury export failed');
      sendError(res, new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
    }
  };
  const signedIn = async (req: Request, res: Response) => {
    const ctx = await contextOf(req, res);
    if (ctx.viewer.role === 'PUBLIC') throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Sign in to download payment documents.');
    return ctx;
  };
  const text = (value: unknown) => (typeof value === 'string' ? value : '');

  router.get(
    '/exports/payment-order.:format',
    handle(async (req, res) => {
      const format = String(req.params.format);
      if (format !== 'csv' && format !== 'json') throw new DomainError(ErrorCode.NOT_FOUND, 'A payment order is .csv or .json.');
      const ctx = await signedIn(req, res);
      const period = text(req.query.period) || null;
      const order = await ctx.services.treasury.paymentOrder(ctx.viewer, text(req.query.city), period);
      const name = `payment-order-${order.city}-${order.period ?? 'all'}`;
      if (format === 'csv') {
        const body = Buffer.from('\uFEFF' + orderCsv(order), 'utf8'); // BOM: spreadsheets read Kazakh and Russian right
        res.setHeader('content-type', 'text/csv; charset=utf-8');
        res.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
        res.setHeader(CHECKSUM_HEADER, sha256(body));
        res.send(body);
        return;
      }
      const json = orderJson(order);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${name}.json"`);
      res.setHeader(CHECKSUM_HEADER, json.checksum);
      res.send(json.text);
    }),
  );

  router.get(
    '/exports/acts/:providerId/:file',
    handle(async (req, res) => {
      const match = /^(\d{4}-\d{2})\.json$/.exec(String(req.params.file));
      if (!match) throw new DomainError(ErrorCode.NOT_FOUND, 'An act of services is <YYYY-MM>.json.');
      const ctx = await signedIn(req, res);
      const act = await ctx.services.treasury.actOfServices(ctx.viewer, String(req.params.providerId), match[1]!);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="act-${act.provider.bin}-${act.period}.json"`);
      res.send(JSON.stringify({ ...act, totals: { ...act.totals, amountKzt: tenge(act.totals.amountTiyn) } }));
    }),
  );
  return router;
}

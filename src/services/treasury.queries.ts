// The treasury's reads (STYLE 14): payment orders and acts of services. The services call these by name.
import { sql } from '../db/sql.js';
import type { PaymentStatus } from '../domain/enums.js';

export interface OrderRow {
  payment_id: string;
  provider_bin: string;
  provider_name: string;
  iban: string;
  bik: string;
  amount_tiyn: string;
  period: string;
  sequence: number;
  due_date: string;
}

/**
 * A city's approved payments (of one month, or all), with the bank details each was approved
 * under — never the provider's newer ones — earliest due first.
 */
export const approvedPaymentOrder = sql<{ cityId: string; period: string | null; approved: PaymentStatus }, OrderRow>(
  'treasury.approved-payment-order',
  `select x.id as payment_id, pr.bin as provider_bin, pr.name as provider_name, bd.iban, bd.bik, x.amount_tiyn::text as amount_tiyn,
          x.period, x.sequence, to_char(x.due_date, 'YYYY-MM-DD') as due_date
     from payment x join provider pr on pr.id = x.provider_id join bank_details bd on bd.id = x.bank_details_id
    where x.city_id = :cityId and x.status = :approved and (:period::text is null or x.period = :period)
    order by x.due_date, x.id`,
);

export interface ActSessionRow {
  program_id: string;
  title_kk: string;
  title_ru: string;
  session_date: string;
  minutes: number;
  child_name: string;
  payment_id: string;
  payment_status: PaymentStatus;
}

/** The sessions a provider's approved or paid payments of a month pay, by program, date and child. */
export const actSessions = sql<{ providerId: string; period: string; statuses: PaymentStatus[] }, ActSessionRow>(
  'treasury.act-sessions',
  `select p.id as program_id, p.title_kk, p.title_ru, to_char(a.session_date, 'YYYY-MM-DD') as session_date, a.minutes, c.full_name as child_name,
          x.id as payment_id, x.status as payment_status
     from payment x join payment_line pl on pl.payment_id = x.id join attendance a on a.payment_line_id = pl.id
     join program p on p.id = a.program_id join voucher v on v.id = pl.voucher_id join child c on c.id = v.child_id
    where x.provider_id = :providerId and x.period = :period and x.status in (:statuses)
    order by p.id, a.session_date, c.full_name, a.id`,
);

/** What those payments pay per program (after the monthly caps), in tiyn. */
export const actProgramAmounts = sql<{ providerId: string; period: string; statuses: PaymentStatus[] }, { program_id: string; amount_tiyn: string }>(
  'treasury.act-program-amounts',
  `select e.program_id, sum(pl.amount_tiyn)::text as amount_tiyn
     from payment x join payment_line pl on pl.payment_id = x.id join enrollment e on e.id = pl.enrollment_id
    where x.provider_id = :providerId and x.period = :period and x.status in (:statuses)
    group by 1 order by 1`,
);

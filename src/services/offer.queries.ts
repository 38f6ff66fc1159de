// Hand-written SQL over offers: whose an offer is (read before the answer's locks), and the
// pending offers the scheduler's expiry and reminder jobs are due to visit.
import { sql } from '../db/sql.js';
import type { OfferStatus } from '../domain/enums.js';

/** The child and application of an offer, read before the locks in their order (locks.ts) are taken. */
export const offerOwner = sql<{ id: string }, { child_id: string; application_id: string }>(
  'offer-owner',
  'select a.child_id, a.id as application_id from offer o join application a on a.id = o.application_id where o.id = :id',
);

export type DueOffer = { id: string; deadline: string };
type Due = { pending: OfferStatus; now: Date; limit: number };
type InCities = { cityCodes: string[] };
type After = { afterDeadline: string; afterId: string };

const dueOffers = (inCities: boolean, after: boolean) =>
  `select o.id, o.deadline::text as deadline from offer o join application a on a.id = o.application_id
    where o.status = :pending and o.deadline <= :now
      ${inCities ? 'and a.city_id in (select id from city where code in (:cityCodes))' : ''}
      ${after ? 'and (o.deadline, o.id) > (:afterDeadline::timestamptz, :afterId)' : ''}
    order by o.deadline, o.id limit :limit`;

/**
 * Pending offers due by `now`, in deadline order, a page at a time (optionally of some cities, and
 * after a cursor). The cursor keeps the deadline as PostgreSQL's text, microseconds included.
 */
export const dueOffersQuery = {
  all: sql<Due, DueOffer>('due-offers', dueOffers(false, false)),
  allAfter: sql<Due & After, DueOffer>('due-offers-after', dueOffers(false, true)),
  inCities: sql<Due & InCities, DueOffer>('due-offers-in-cities', dueOffers(true, false)),
  inCitiesAfter: sql<Due & InCities & After, DueOffer>('due-offers-in-cities-after', dueOffers(true, true)),
};

const toRemind = (inCities: boolean) =>
  `select o.id from offer o
     join application a on a.id = o.application_id
     join lateral (select reminder_hours_before_deadline as hours from city_rules r where r.city_id = a.city_id and r.version = o.rules_version) r on true
    where o.status = :pending and o.reminded_at is null and o.deadline > :now and o.deadline - make_interval(hours => r.hours) <= :now
      ${inCities ? 'and a.city_id in (select id from city where code in (:cityCodes))' : ''}
    order by o.deadline limit :limit`;

/** Pending offers inside their city's reminder window and not reminded yet, soonest deadline first. */
export const offersToRemindQuery = {
  all: sql<Due, { id: string }>('offers-to-remind', toRemind(false)),
  inCities: sql<Due & InCities, { id: string }>('offers-to-remind-in-cities', toRemind(true)),
};

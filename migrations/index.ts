import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125161750_queue_order } from './Migration20261125161750_queue_order.js';
import { Migration20261125142907_domain_events } from './Migration20261125142907_domain_events.js';
import { Migration20261125142657_attendance_and_payments } from './Migration20261125142657_attendance_and_payments.js';
import { Migration20261125131559_initial } from './Migration20261125131559_initial.js';
import { Migration20261125134344_voucher_lifecycle } from './Migration20261125134344_voucher_lifecycle.js';
import { Migration20261201190000_suspensions } from './Migration20261201190000_suspensions.js';

import { Migration20261201190500_verified_links } from './Migration20261201190500_verified_links.js';
import { Migration20261201193000_budget_coverage } from './Migration20261201193000_budget_coverage.js';
import { Migration20261201193100_one_session_a_day } from './Migration20261201193100_one_session_a_day.js';

import { Migration20261201193500_lock_order } from './Migration20261201193500_lock_order.js';
import { Migration20261201230000_provider_onboarding } from './Migration20261201230000_provider_onboarding.js';
import { Migration20261201230100_timesheets } from './Migration20261201230100_timesheets.js';
import { Migration20261201230200_treasury } from './Migration20261201230200_treasury.js';

// Every migration, in order. A test checks that each file in this folder is listed here.
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125131559_initial', class: Migration20261125131559_initial },
  { name: 'Migration20261125134344_voucher_lifecycle', class: Migration20261125134344_voucher_lifecycle },
  { name: 'Migration20261125142657_attendance_and_payments', class: Migration20261125142657_attendance_and_payments },
  { name: 'Migration20261125142907_domain_events', class: Migration20261125142907_domain_events },
  { name: 'Migration20261125161750_queue_order', class: Migration20261125161750_queue_order },
  { name: 'Migration20261201190000_suspensions', class: Migration20261201190000_suspensions },
  { name: 'Migration20261201190500_verified_links', class: Migration20261201190500_verified_links },
  { name: 'Migration20261201193000_budget_coverage', class: Migration20261201193000_budget_coverage },
  { name: 'Migration20261201193100_one_session_a_day', class: Migration20261201193100_one_session_a_day },
  { name: 'Migration20261201193500_lock_order', class: Migration20261201193500_lock_order },
  { name: 'Migration20261201230000_provider_onboarding', class: Migration20261201230000_provider_onboarding },
  { name: 'Migration20261201230100_timesheets', class: Migration20261201230100_timesheets },
  { name: 'Migration20261201230200_treasury', class: Migration20261201230200_treasury },
];

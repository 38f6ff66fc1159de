// The live feeds of a city the hub has not seen yet (a test's own city, made after the hub read
// its city directory): changes, metrics and positions follow it like a pilot city, with exact
// figures, since nobody else queues there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const METRICS = `subscription($city: String!) { queueMetrics(city: $city, voucherType: TARGETED) { waiting city { code } voucherType } }`;
const CHANGES = `subscription($city: String!) { queueChanges(city: $city, voucherType: TARGETED) { city { code } voucherType kind count labels } }`;
const POSITION = `subscription($id: ID!) { queuePositionChanged(applicationId: $id) { position status reason } }`;

/** The next snapshot whose figure differs from `waiting`: a flush already under way may repeat the one before. */
async function nextChanged(metrics: { next(): Promise<any> }, waiting: number) {
  let snapshot = (await metrics.next()).queueMetrics;
  while (snapshot.waiting === waiting) snapshot = (await metrics.next()).queueMetrics;
  return snapshot;
}

describe('live feeds of a city made after the hub started', () => {
  it('streams its changes, metrics and positions', async () => {
    // The hub reads its city directory for the first dashboard of changes (registered once a later
    // subscription's snapshot has arrived, as in realtime.spec.ts); the city is made after that.
    const pilotChanges = await api.subscribe(CHANGES, { city: 'ASTANA' });
    const pilot = await api.subscribe(METRICS, { city: 'ASTANA' });
    await pilot.next();
    const city = await seed.city();

    const changes = await api.subscribe(CHANGES, { city });
    const pilotAgain = await api.subscribe(METRICS, { city: 'ASTANA' });
    await pilotAgain.next();
    const first = await seed.parent().withChild();
    const firstId = await seed.apply(first, 0, 'TARGETED', city);
    const { application } = await api.data(`query($id: ID!) { application(id: $id) { publicLabel } }`, { id: firstId }, { token: first.token });
    expect((await changes.next()).queueChanges).toEqual({ city: { code: city }, voucherType: 'TARGETED', kind: 'QUEUE_JOINED', count: 1, labels: [application.publicLabel] });

    const metrics = await api.subscribe(METRICS, { city });
    expect((await metrics.next()).queueMetrics).toEqual({ waiting: 1, city: { code: city }, voucherType: 'TARGETED' });
    const second = await seed.parent().withChild();
    const secondId = await seed.apply(second, 0, 'TARGETED', city);
    expect(await nextChanged(metrics, 1)).toEqual({ waiting: 2, city: { code: city }, voucherType: 'TARGETED' });

    const position = await api.subscribe(POSITION, { id: secondId }, second.token);
    expect((await position.next()).queuePositionChanged).toEqual({ position: 2, status: 'QUEUED', reason: 'CURRENT' });
    await api.data(`mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }`, { id: firstId }, { token: first.token });
    expect((await position.next()).queuePositionChanged).toEqual({ position: 1, status: 'QUEUED', reason: 'SOMEONE_AHEAD_LEFT' });
    expect(await nextChanged(metrics, 2)).toEqual({ waiting: 1, city: { code: city }, voucherType: 'TARGETED' });

    await Promise.all([pilotChanges, pilot, pilotAgain, changes, metrics, position].map((sub) => sub.close()));
  });
});

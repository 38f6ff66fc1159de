import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => (api = await TestApi.start()));
afterAll(() => api?.close());

describe('smoke', () => {
  it('lists the six pilot cities', async () => {
    const { cities } = await api.data(`{ cities { code name { kk ru en } } }`);
    expect(cities.map((c: { code: string }) => c.code)).toEqual(['AKTOBE', 'ASTANA', 'ATYRAU', 'KARAGANDA', 'KYZYLORDA', 'SHYMKENT']);
  });
});

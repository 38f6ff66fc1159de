// /dashboard: live figures per pilot city and voucher type, a chart of the queue length, and the
// latest anonymised queue changes. Everything arrives over two public subscriptions.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { connect, query, subscribe, type ConnectionState } from './api.js';
import { formatNumber, localized, mountI18n, onLangChange, t } from './i18n.js';

type VoucherType = 'TARGETED' | 'UNIVERSAL';
const TYPES: VoucherType[] = ['TARGETED', 'UNIVERSAL'];
const FIELDS = ['waiting', 'offered', 'active', 'seatsFree', 'budgetUsed'] as const;
type Field = (typeof FIELDS)[number];

interface City {
  code: string;
  name: { kk: string; ru: string; en?: string | null };
}

interface Metrics {
  city: { code: string };
  voucherType: VoucherType;
  waiting: number;
  offered: number;
  active: number;
  seatsFree: number;
  budgetAllocated: { tiyn: number };
  budgetUsed: { tiyn: number };
  at: string;
}

interface QueueChange {
  city: City;
  voucherType: VoucherType;
  kind: string;
  count: number;
  labels: string[];
  at: string;
}

const METRICS = `subscription { queueMetrics { city { code } voucherType waiting offered active seatsFree budgetAllocated { tiyn } budgetUsed { tiyn } at } }`;
const CHANGE_FIELDS = `city { code name { kk ru en } } voucherType kind count labels at`;
const CHANGES = `subscription { queueChanges { ${CHANGE_FIELDS} } }`;
const RECENT = `query { cities { code name { kk ru en } } recentQueueChanges(first: 12) { ${CHANGE_FIELDS} } }`;
const MAX_CHANGES = 12;
const MAX_POINTS = 600;

const el = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const latest = new Map<string, Metrics>();
const key = (city: string, type: VoucherType) => `${city}:${type}`;
let cities: City[] = [];
let changes: QueueChange[] = [];

function buildTables(): void {
  el('#tables').replaceChildren(
    ...TYPES.map((type) => {
      const section = document.createElement('section');
      section.className = 'panel';
      section.setAttribute('aria-labelledby', `h-${type}`);
      const rows = cities
        .map(
          (c) => `<tr data-city="${c.code}"><th scope="row" data-city-name="${c.code}"></th>${FIELDS.map(
            (f) => `<td data-city="${c.code}" data-type="${type}" data-field="${f}">…</td>`,
          ).join('')}</tr>`,
        )
        .join('');
      section.innerHTML = `<h2 id="h-${type}" data-i18n="type.${type}"></h2>
        <div class="scroll"><table>
          <thead><tr><th scope="col" data-i18n="col.city"></th>${FIELDS.map((f) => `<th scope="col" data-i18n="field.${f}"></th>`).join('')}</tr></thead>
          <tbody>${rows}</tbody>
          <tfoot><tr><th scope="row" data-i18n="totals"></th>${FIELDS.map((f) => `<td data-city="ALL" data-type="${type}" data-field="${f}">…</td>`).join('')}</tr></tfoot>
        </table></div>`;
      return section;
    }),
  );
}

function budgetText(allocated: number, used: number): string {
  if (allocated === 0) return used === 0 ? t('budget.none') : `${formatNumber(Math.round(used / 100))} ₸`;
  return `${((100 * used) / allocated).toFixed(1)} % · ${formatNumber(Math.round(used / 100))} ₸`;
}

/** Writes a figure; flashes it only when the value changed (not when only the language did). */
function setCell(city: string, type: VoucherType, field: Field, text: string, value: number): void {
  const cell = document.querySelector<HTMLElement>(`td[data-city="${city}"][data-type="${type}"][data-field="${field}"]`);
  if (!cell) return;
  cell.textContent = text;
  const previous = cell.dataset.value;
  cell.dataset.value = String(value);
  if (previous !== undefined && previous !== String(value)) {
    // Restart the highlight so a second change in a row is seen too.
    cell.classList.remove('changed');
    void cell.offsetWidth;
    cell.classList.add('changed');
  }
}

function render(): void {
  document.querySelectorAll<HTMLElement>('[data-city-name]').forEach((th) => {
    const city = cities.find((c) => c.code === th.dataset.cityName);
    if (city) th.textContent = localized(city.name);
  });
  for (const type of TYPES) {
    const total = { waiting: 0, offered: 0, active: 0, seatsFree: 0, allocated: 0, used: 0 };
    for (const city of cities) {
      const m = latest.get(key(city.code, type));
      if (!m) continue;
      setCell(city.code, type, 'waiting', formatNumber(m.waiting), m.waiting);
      setCell(city.code, type, 'offered', formatNumber(m.offered), m.offered);
      setCell(city.code, type, 'active', formatNumber(m.active), m.active);
      setCell(city.code, type, 'seatsFree', formatNumber(m.seatsFree), m.seatsFree);
      setCell(city.code, type, 'budgetUsed', budgetText(m.budgetAllocated.tiyn, m.budgetUsed.tiyn), m.budgetUsed.tiyn);
      total.waiting += m.waiting;
      total.offered += m.offered;
      total.active += m.active;
      total.seatsFree += m.seatsFree;
      total.allocated += m.budgetAllocated.tiyn;
      total.used += m.budgetUsed.tiyn;
    }
    setCell('ALL', type, 'waiting', formatNumber(total.waiting), total.waiting);
    setCell('ALL', type, 'offered', formatNumber(total.offered), total.offered);
    setCell('ALL', type, 'active', formatNumber(total.active), total.active);
    setCell('ALL', type, 'seatsFree', formatNumber(total.seatsFree), total.seatsFree);
    setCell('ALL', type, 'budgetUsed', budgetText(total.allocated, total.used), total.used);
  }
}

function renderChanges(): void {
  const list = el('#changes');
  if (changes.length === 0) {
    list.innerHTML = `<li class="empty">${t('changes.none')}</li>`;
    return;
  }
  list.replaceChildren(
    ...changes.map((change) => {
      const li = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = change.at;
      time.textContent = new Date(change.at).toLocaleTimeString();
      const what = document.createElement('span');
      what.textContent = `${localized(change.city.name)} · ${t(`type.${change.voucherType}`)} — ${t(`change.${change.kind}`, { n: formatNumber(change.count) })}`;
      li.append(time, ' ', what);
      if (change.labels.length) {
        const labels = document.createElement('span');
        labels.className = 'labels';
        labels.textContent = change.labels.slice(0, 4).join(', ') + (change.count > 4 ? ' …' : '');
        li.append(' ', labels);
      }
      return li;
    }),
  );
}

// The chart: total children waiting per voucher type, one point per update since the page opened.
const series: [number[], number[], number[]] = [[], [], []];
let chart: uPlot | null = null;

function chartOptions(width: number): uPlot.Options {
  return {
    width,
    height: 220,
    legend: { live: false },
    series: [{}, { label: t('type.TARGETED'), stroke: '#1565c0', width: 2 }, { label: t('type.UNIVERSAL'), stroke: '#c62828', width: 2 }],
    axes: [
      { values: (_u, ticks) => ticks.map((v) => new Date(v * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })) },
      { values: (_u, ticks) => ticks.map((v) => formatNumber(v)) },
    ],
    // At least a minute across, filling from the left, so the first seconds do not read as milliseconds.
    scales: {
      x: { time: true, range: (_u, min, max) => [min, Math.max(max, min + 60)] },
      // From zero: the queue's length, not its wiggles.
      y: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil(max * 1.15))] },
    },
  };
}

function drawChart(): void {
  const host = el('#chart');
  chart?.destroy();
  chart = new uPlot(chartOptions(host.clientWidth || 600), series, host);
}

function recordPoint(): void {
  const totals = TYPES.map((type) => cities.reduce((sum, c) => sum + (latest.get(key(c.code, type))?.waiting ?? 0), 0));
  series[0].push(Date.now() / 1000);
  series[1].push(totals[0]!);
  series[2].push(totals[1]!);
  if (series[0].length > MAX_POINTS) series.forEach((s) => s.shift());
  chart?.setData(series);
}

function showState(state: ConnectionState): void {
  const status = el('#status');
  status.dataset.state = state;
  status.textContent = t(`status.${state}`);
}

async function main(): Promise<void> {
  mountI18n(el('#langs'));
  showState('connecting');
  const initial = await query<{ cities: City[]; recentQueueChanges: QueueChange[] }>(RECENT);
  cities = initial.cities;
  changes = initial.recentQueueChanges;
  buildTables();
  mountI18n(el('#langs'));
  renderChanges();
  drawChart();
  onLangChange(() => {
    render();
    renderChanges();
    drawChart();
    showState((el('#status').dataset.state as ConnectionState) ?? 'connecting');
  });
  window.addEventListener('resize', () => chart?.setSize({ width: el('#chart').clientWidth, height: 220 }));

  const client = connect(undefined, showState);
  let pending = false;
  subscribe<{ queueMetrics: Metrics }>(client, METRICS, {}, ({ queueMetrics }) => {
    latest.set(key(queueMetrics.city.code, queueMetrics.voucherType), queueMetrics);
    // A snapshot arrives per queue; draw once per frame, not once per queue.
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
      recordPoint();
      document.body.dataset.updated = new Date().toISOString();
    });
  }, (err) => console.error('queueMetrics', err));
  subscribe<{ queueChanges: QueueChange }>(client, CHANGES, {}, ({ queueChanges }) => {
    changes = [queueChanges, ...changes].slice(0, MAX_CHANGES);
    renderChanges();
  }, (err) => console.error('queueChanges', err));
}

void main();

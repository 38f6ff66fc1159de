// /queue/<applicationId>: a parent's view of one application — the child's place, why it last moved,
// and a banner the moment an offer arrives, with the clubs the voucher can be used at.
import './style.css';
import { ApiError, connect, query, subscribe, type ConnectionState } from './api.js';
import { formatNumber, formatTime, localized, mountI18n, onLangChange, t } from './i18n.js';

interface Application {
  id: string;
  status: string;
  position: number | null;
  publicLabel: string;
  submittedAt: string;
  voucherType: 'TARGETED' | 'UNIVERSAL';
  city: { code: string; name: { kk: string; ru: string; en?: string | null } };
  child: { fullName: string; birthDate: string };
  offer: Offer | null;
}

interface Offer {
  id: string;
  status: string;
  deadline: string;
  application: { id: string };
}

interface Program {
  id: string;
  title: { kk: string; ru: string; en?: string | null };
  freeSeats: number;
  provider: { name: string };
}

const APPLICATION = `query($id: ID!) { application(id: $id) {
  id status position publicLabel submittedAt voucherType
  city { code name { kk ru en } } child { fullName birthDate }
  offer { id status deadline application { id } } } }`;
const POSITION = `subscription($id: ID!) { queuePositionChanged(applicationId: $id) { position status reason at } }`;
const OFFERS = `subscription { offerReceived { id status deadline application { id } } }`;
const PROGRAMS = `query($filter: ProgramFilter) { programs(filter: $filter, first: 10) { edges { node { id title { kk ru en } freeSeats provider { name } } } } }`;
const TOKEN_KEY = 'kezek.token';

const el = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const applicationId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');

let application: Application | null = null;
let lastReason = 'CURRENT';
let offer: Offer | null = null;
let programs: Program[] = [];

/** The token comes in the URL fragment (never sent to any server in a request line) or was kept for this tab. */
function takeToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function ageOn(birthDate: string, on = new Date()): number {
  const born = new Date(`${birthDate}T00:00:00`);
  let age = on.getFullYear() - born.getFullYear();
  if (on.getMonth() < born.getMonth() || (on.getMonth() === born.getMonth() && on.getDate() < born.getDate())) age--;
  return age;
}

function render(): void {
  if (!application) return;
  el('#child').textContent = application.child.fullName;
  el('#where').textContent = `${localized(application.city.name)} · ${t(`type.${application.voucherType}`)}`;
  el('#position').textContent = application.position === null ? t('queue.notWaiting') : formatNumber(application.position);
  el('#app-status').textContent = t(`appStatus.${application.status}`);
  el('#label').textContent = application.publicLabel;
  el('#submitted').textContent = formatTime(application.submittedAt);
  el('#reason').textContent = t(`reason.${lastReason}`);
  const banner = el('#offer');
  banner.hidden = !offer || offer.status !== 'PENDING';
  if (offer && offer.status === 'PENDING') {
    el('#offer-body').textContent = t('offer.body', { deadline: formatTime(offer.deadline) });
    const list = el('#programs');
    if (programs.length === 0) list.innerHTML = `<li>${t('offer.noPrograms')}</li>`;
    else
      list.replaceChildren(
        ...programs.map((p) => {
          const li = document.createElement('li');
          li.dataset.programId = p.id;
          li.textContent = `${localized(p.title)} — ${p.provider.name} (${t('offer.seats', { n: formatNumber(p.freeSeats) })})`;
          return li;
        }),
      );
  }
}

async function showOffer(next: Offer): Promise<void> {
  if (!application || next.application.id !== application.id) return;
  offer = next;
  const { programs: page } = await query<{ programs: { edges: { node: Program }[] } }>(PROGRAMS, {
    filter: { city: application.city.code, voucherType: application.voucherType, childAge: ageOn(application.child.birthDate), hasFreeSeats: true },
  });
  programs = page.edges.map((e) => e.node);
  render();
  el('#offer').focus();
}

function showState(state: ConnectionState): void {
  const status = el('#status');
  status.dataset.state = state;
  status.textContent = t(`status.${state}`);
}

function fail(err: unknown): void {
  const box = el('#error');
  box.hidden = false;
  box.textContent = t('queue.error', { message: err instanceof Error ? err.message : String(err) });
}

async function start(token: string): Promise<void> {
  el('#signin').hidden = true;
  try {
    const data = await query<{ application: Application | null }>(APPLICATION, { id: applicationId }, token);
    if (!data.application) throw new ApiError('not found', 'NOT_FOUND');
    application = data.application;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
      sessionStorage.removeItem(TOKEN_KEY);
      el('#signin').hidden = false;
    }
    fail(err);
    return;
  }
  el('#view').hidden = false;
  render();
  if (application.offer?.status === 'PENDING') await showOffer(application.offer);
  const client = connect(token, showState);
  subscribe<{ queuePositionChanged: { position: number | null; status: string; reason: string } }>(client, POSITION, { id: applicationId }, ({ queuePositionChanged: update }) => {
    application = { ...application!, position: update.position, status: update.status };
    lastReason = update.reason;
    render();
    document.body.dataset.updated = new Date().toISOString();
  }, fail);
  subscribe<{ offerReceived: Offer }>(client, OFFERS, {}, ({ offerReceived }) => void showOffer(offerReceived).catch(fail), fail);
}

function main(): void {
  mountI18n(el('#langs'));
  onLangChange(render);
  el<HTMLFormElement>('#signin').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = el<HTMLInputElement>('#token').value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    el('#error').hidden = true;
    void start(token);
  });
  const token = takeToken();
  if (token) void start(token);
  else el('#signin').hidden = false;
}

main();

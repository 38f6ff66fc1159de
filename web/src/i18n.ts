// Labels in Kazakh and Russian (the programme's languages), English as the fallback. The choice is
// remembered in localStorage; the first visit follows the browser's language.

export type Lang = 'kk' | 'ru' | 'en';
export const LANGS: Lang[] = ['kk', 'ru', 'en'];
export const LANG_NAMES: Record<Lang, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

type Dictionary = Record<string, string>;

const en: Dictionary = {
  'dashboard.title': 'Kezek — live queue',
  'dashboard.subtitle': 'After-school club vouchers in the pilot cities, updated live.',
  'status.connecting': 'Connecting…',
  'status.live': 'Live',
  'status.offline': 'Reconnecting…',
  'type.TARGETED': 'Targeted',
  'type.UNIVERSAL': 'Universal',
  'col.city': 'City',
  'field.waiting': 'Waiting',
  'field.offered': 'Offers outstanding',
  'field.active': 'Vouchers active',
  'field.seatsFree': 'Seats free',
  'field.budgetUsed': 'Budget used',
  'totals': 'All cities',
  'chart.title': 'Children waiting, over time',
  'chart.caption': 'Since this page was opened; one point per update.',
  'changes.title': 'Latest queue changes',
  'changes.none': 'No changes yet. They appear here the moment they happen.',
  'change.QUEUE_JOINED': '{n} joined the queue',
  'change.QUEUE_LEFT': '{n} left the queue',
  'change.OFFERED': '{n} received an offer',
  'change.OFFER_CLOSED': '{n} offer(s) settled',
  'change.RULES_CHANGED': 'The city’s rules changed',
  'change.PRIORITY_VERIFIED': 'A priority category was verified',
  'budget.none': 'no budget set',
  'queue.title': 'Your child’s place in the queue',
  'queue.position': 'Position',
  'queue.status': 'Status',
  'queue.label': 'Your queue label',
  'queue.submitted': 'Applied',
  'queue.reason': 'Last change',
  'queue.notWaiting': '—',
  'queue.tokenPrompt': 'Sign in: paste the access token the parent portal gave you.',
  'queue.tokenButton': 'Show my place',
  'queue.error': 'Could not load this application: {message}',
  'reason.CURRENT': 'Current position',
  'reason.SOMEONE_AHEAD_OFFERED': 'Families ahead received offers',
  'reason.SOMEONE_AHEAD_LEFT': 'A family ahead left the queue',
  'reason.SOMEONE_JOINED_AHEAD': 'A priority family joined ahead',
  'reason.RULES_CHANGED': 'The city changed its priority rules',
  'reason.PRIORITY_VERIFIED': 'A priority category was verified (yours, or a family’s now ahead)',
  'reason.STATUS_CHANGED': 'Your application’s status changed',
  'appStatus.QUEUED': 'Waiting',
  'appStatus.OFFERED': 'Offer received',
  'appStatus.ACCEPTED': 'Accepted',
  'appStatus.WITHDRAWN': 'Withdrawn',
  'appStatus.CANCELLED': 'Cancelled',
  'offer.title': 'Your turn has come!',
  'offer.body': 'A voucher is reserved for your child. Choose a club before {deadline}.',
  'offer.programs': 'Clubs that accept this voucher and have free seats:',
  'offer.noPrograms': 'No club with free seats matches right now; check the catalogue.',
  'offer.seats': '{n} seats free',
  'explorer.title': 'Kezek API explorer',
};

const kk: Dictionary = {
  'dashboard.title': 'Kezek — тірі кезек',
  'dashboard.subtitle': 'Пилоттық қалалардағы үйірме ваучерлері, нақты уақытта.',
  'status.connecting': 'Қосылуда…',
  'status.live': 'Тікелей',
  'status.offline': 'Қайта қосылуда…',
  'type.TARGETED': 'Мақсатты',
  'type.UNIVERSAL': 'Әмбебап',
  'col.city': 'Қала',
  'field.waiting': 'Кезекте',
  'field.offered': 'Ұсыныстар',
  'field.active': 'Белсенді ваучерлер',
  'field.seatsFree': 'Бос орындар',
  'field.budgetUsed': 'Бюджет жұмсалды',
  'totals': 'Барлық қалалар',
  'chart.title': 'Кезектегі балалар саны',
  'chart.caption': 'Бет ашылғаннан бері; әр жаңарту — бір нүкте.',
  'changes.title': 'Кезектегі соңғы өзгерістер',
  'changes.none': 'Әзірге өзгеріс жоқ. Олар болған сәтте осында шығады.',
  'change.QUEUE_JOINED': '{n} кезекке тұрды',
  'change.QUEUE_LEFT': '{n} кезектен шықты',
  'change.OFFERED': '{n} ұсыныс алды',
  'change.OFFER_CLOSED': '{n} ұсыныс шешілді',
  'change.RULES_CHANGED': 'Қала ережелері өзгерді',
  'change.PRIORITY_VERIFIED': 'Басымдық санаты расталды',
  'budget.none': 'бюджет белгіленбеген',
  'queue.title': 'Балаңыздың кезектегі орны',
  'queue.position': 'Орны',
  'queue.status': 'Күйі',
  'queue.label': 'Кезектегі белгіңіз',
  'queue.submitted': 'Өтініш берілді',
  'queue.reason': 'Соңғы өзгеріс',
  'queue.notWaiting': '—',
  'queue.tokenPrompt': 'Кіру: ата-ана порталы берген кіру токенін қойыңыз.',
  'queue.tokenButton': 'Орнымды көрсету',
  'queue.error': 'Өтінішті жүктеу мүмкін болмады: {message}',
  'reason.CURRENT': 'Қазіргі орын',
  'reason.SOMEONE_AHEAD_OFFERED': 'Алдыңғы отбасылар ұсыныс алды',
  'reason.SOMEONE_AHEAD_LEFT': 'Алдыңғы отбасы кезектен шықты',
  'reason.SOMEONE_JOINED_AHEAD': 'Алдыға басымдығы бар отбасы тұрды',
  'reason.RULES_CHANGED': 'Қала басымдық ережелерін өзгертті',
  'reason.PRIORITY_VERIFIED': 'Басымдық санаты расталды (сіздікі немесе алдағы отбасынікі)',
  'reason.STATUS_CHANGED': 'Өтініш күйі өзгерді',
  'appStatus.QUEUED': 'Кезекте',
  'appStatus.OFFERED': 'Ұсыныс келді',
  'appStatus.ACCEPTED': 'Қабылданды',
  'appStatus.WITHDRAWN': 'Қайтарылып алынды',
  'appStatus.CANCELLED': 'Жойылды',
  'offer.title': 'Сіздің кезегіңіз келді!',
  'offer.body': 'Балаңызға ваучер сақталды. {deadline} дейін үйірме таңдаңыз.',
  'offer.programs': 'Бұл ваучерді қабылдайтын, бос орны бар үйірмелер:',
  'offer.noPrograms': 'Қазір бос орны бар сәйкес үйірме жоқ; каталогты қараңыз.',
  'offer.seats': '{n} бос орын',
  'explorer.title': 'Kezek API зерттеушісі',
};

const ru: Dictionary = {
  'dashboard.title': 'Kezek — живая очередь',
  'dashboard.subtitle': 'Ваучеры на кружки в пилотных городах, в реальном времени.',
  'status.connecting': 'Подключение…',
  'status.live': 'В эфире',
  'status.offline': 'Переподключение…',
  'type.TARGETED': 'Целевой',
  'type.UNIVERSAL': 'Универсальный',
  'col.city': 'Город',
  'field.waiting': 'В очереди',
  'field.offered': 'Предложения',
  'field.active': 'Активные ваучеры',
  'field.seatsFree': 'Свободные места',
  'field.budgetUsed': 'Бюджет использован',
  'totals': 'Все города',
  'chart.title': 'Дети в очереди',
  'chart.caption': 'С момента открытия страницы; точка на каждое обновление.',
  'changes.title': 'Последние изменения очереди',
  'changes.none': 'Пока изменений нет. Они появятся здесь в момент, когда произойдут.',
  'change.QUEUE_JOINED': '{n} встали в очередь',
  'change.QUEUE_LEFT': '{n} вышли из очереди',
  'change.OFFERED': '{n} получили предложение',
  'change.OFFER_CLOSED': 'Закрыто предложений: {n}',
  'change.RULES_CHANGED': 'Правила города изменились',
  'change.PRIORITY_VERIFIED': 'Подтверждена категория приоритета',
  'budget.none': 'бюджет не задан',
  'queue.title': 'Место вашего ребёнка в очереди',
  'queue.position': 'Место',
  'queue.status': 'Статус',
  'queue.label': 'Ваша метка в очереди',
  'queue.submitted': 'Заявка подана',
  'queue.reason': 'Последнее изменение',
  'queue.notWaiting': '—',
  'queue.tokenPrompt': 'Вход: вставьте токен доступа из портала для родителей.',
  'queue.tokenButton': 'Показать моё место',
  'queue.error': 'Не удалось загрузить заявку: {message}',
  'reason.CURRENT': 'Текущее место',
  'reason.SOMEONE_AHEAD_OFFERED': 'Семьи впереди получили предложения',
  'reason.SOMEONE_AHEAD_LEFT': 'Семья впереди вышла из очереди',
  'reason.SOMEONE_JOINED_AHEAD': 'Впереди встала семья с приоритетом',
  'reason.RULES_CHANGED': 'Город изменил правила приоритета',
  'reason.PRIORITY_VERIFIED': 'Подтверждена категория приоритета (ваша или семьи, теперь стоящей впереди)',
  'reason.STATUS_CHANGED': 'Статус заявки изменился',
  'appStatus.QUEUED': 'В очереди',
  'appStatus.OFFERED': 'Есть предложение',
  'appStatus.ACCEPTED': 'Принято',
  'appStatus.WITHDRAWN': 'Отозвана',
  'appStatus.CANCELLED': 'Отменена',
  'offer.title': 'Ваша очередь подошла!',
  'offer.body': 'Для ребёнка зарезервирован ваучер. Выберите кружок до {deadline}.',
  'offer.programs': 'Кружки, которые принимают этот ваучер и имеют свободные места:',
  'offer.noPrograms': 'Сейчас нет подходящих кружков со свободными местами; посмотрите каталог.',
  'offer.seats': 'свободно мест: {n}',
  'explorer.title': 'Обозреватель API Kezek',
};

const DICTIONARIES: Record<Lang, Dictionary> = { kk, ru, en };
const STORAGE_KEY = 'kezek.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && (LANGS as string[]).includes(saved)) return saved as Lang;
  const browser = navigator.language.slice(0, 2);
  return (LANGS as string[]).includes(browser) ? (browser as Lang) : 'kk';
}

let current: Lang = initialLang();
const listeners = new Set<() => void>();

export const lang = (): Lang => current;

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  listeners.forEach((listener) => listener());
}

export function onLangChange(listener: () => void): void {
  listeners.add(listener);
}

/** The label in the chosen language, else English, else the key itself (a missing label is visible, not blank). */
export function t(key: string, params: Record<string, string | number> = {}): string {
  const text = DICTIONARIES[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

/** A LocalizedText from the API in the chosen language. */
export function localized(text: { kk: string; ru: string; en?: string | null }): string {
  return (current === 'en' ? text.en : text[current]) ?? text.ru;
}

/** Fills every [data-i18n] element and builds the language switch into `switchHost`. */
export function mountI18n(switchHost: HTMLElement): void {
  const apply = () => {
    document.documentElement.lang = current;
    document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => (el.textContent = t(el.dataset.i18n!)));
    switchHost.querySelectorAll<HTMLButtonElement>('button').forEach((b) => b.setAttribute('aria-pressed', String(b.value === current)));
  };
  switchHost.replaceChildren(
    ...LANGS.map((code) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.value = code;
      button.lang = code;
      button.textContent = LANG_NAMES[code];
      button.addEventListener('click', () => setLang(code));
      return button;
    }),
  );
  onLangChange(apply);
  apply();
}

/** Numbers with the locale's grouping. */
export const formatNumber = (n: number): string => new Intl.NumberFormat(current === 'en' ? 'en-US' : current === 'kk' ? 'kk-KZ' : 'ru-RU').format(n);

/** Day, month, year and time in numbers (some browsers spell Kazakh month names oddly). */
export const formatTime = (iso: string | Date): string =>
  new Intl.DateTimeFormat(current === 'en' ? 'en-GB' : 'ru-RU', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

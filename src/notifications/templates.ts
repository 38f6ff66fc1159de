// SMS texts in Kazakh and Russian. Cyrillic SMS travel as UCS-2 (67 characters per part of a long
// message), so each text is kept near two parts with a typical name. Names and programme titles are
// placed where neither language has to decline them: after "үшін" / "ребёнка", or in quotes before
// a fixed case ending ("«…» үйірмесіне").
import { Language, NotificationKind } from '../domain/enums.js';

export interface SmsParams {
  childName: string;
  programTitle?: string;
  deadline?: Date;
  /** IANA zone of the child's city, e.g. "Asia/Almaty"; deadlines are shown in local time. */
  timezone: string;
  cityName?: string;
  voucherType?: 'TARGETED' | 'UNIVERSAL';
}

type VoucherType = NonNullable<SmsParams['voucherType']>;

// Kazakh adjectives do not inflect; Russian ones agree with the case of "ваучер" in each sentence.
const KK_VOUCHER: Record<VoucherType, string> = { TARGETED: 'мақсатты', UNIVERSAL: 'әмбебап' };
const RU_VOUCHER: Record<VoucherType, { nominative: string; dative: string }> = {
  TARGETED: { nominative: 'целевой', dative: 'целевому' },
  UNIVERSAL: { nominative: 'универсальный', dative: 'универсальному' },
};

/** The parts of SmsParams a template has already checked, with the deadline formatted. */
interface Fields {
  child: string;
  deadline: string;
  program: string;
  voucherType?: VoucherType;
}

type Template = (f: Fields) => string;

const TEMPLATES: Record<NotificationKind, Record<Language, Template>> = {
  [NotificationKind.OFFER_MADE]: {
    [Language.KK]: (f) =>
      `${f.child} үшін ${KK_VOUCHER[f.voucherType!]} ваучерге кезек келді! Үйірмені платформада таңдаңыз. Соңғы мерзім: ${f.deadline}.`,
    [Language.RU]: (f) =>
      `Подошла очередь ребёнка ${f.child} на ${RU_VOUCHER[f.voucherType!].nominative} ваучер! Выберите кружок на платформе до ${f.deadline}.`,
  },
  [NotificationKind.OFFER_EXPIRING]: {
    [Language.KK]: (f) =>
      `Еске саламыз: ${f.child} үшін ${kkVoucher(f)}ваучер бойынша үйірме әлі таңдалмаған. Соңғы мерзім: ${f.deadline}.`,
    [Language.RU]: (f) =>
      `Напоминаем: выберите кружок по ${ruVoucherDative(f)}ваучеру для ребёнка ${f.child} на платформе до ${f.deadline}.`,
  },
  [NotificationKind.OFFER_EXPIRED]: {
    [Language.KK]: (f) =>
      `${f.child} үшін ${kkVoucher(f)}ваучер ұсынысының мерзімі өтті. Өтінім мәртебесін платформадан қараңыз.`,
    [Language.RU]: (f) =>
      `Срок предложения по ${ruVoucherDative(f)}ваучеру для ребёнка ${f.child} истёк. Статус заявки смотрите на платформе.`,
  },
  [NotificationKind.ENROLLED]: {
    [Language.KK]: (f) => `${f.child} «${f.program}» үйірмесіне қабылданды. Құттықтаймыз!`,
    [Language.RU]: (f) => `Зачисление ребёнка ${f.child} в кружок «${f.program}» подтверждено. Поздравляем!`,
  },
};

/** What each kind cannot be written without. */
const REQUIRED: Record<NotificationKind, readonly (keyof SmsParams)[]> = {
  [NotificationKind.OFFER_MADE]: ['deadline', 'voucherType'],
  [NotificationKind.OFFER_EXPIRING]: ['deadline'],
  [NotificationKind.OFFER_EXPIRED]: [],
  [NotificationKind.ENROLLED]: ['programTitle'],
};

/**
 * The SMS for one event in the applicant's language, prefixed with the platform (and the city, when
 * given) so the recipient knows who writes. Throws when a parameter the kind needs is missing.
 */
export function renderSms(kind: NotificationKind, language: Language, params: SmsParams): string {
  const template = TEMPLATES[kind]?.[language];
  if (!template) throw new Error(`renderSms: no ${language} template for ${kind}`);
  const missing = ['childName', 'timezone', ...REQUIRED[kind]].filter((key) => isBlank(params[key as keyof SmsParams]));
  if (missing.length > 0) throw new Error(`renderSms(${kind}) needs params.${missing.join(', params.')}`);

  const fields: Fields = {
    child: params.childName.trim(),
    deadline: params.deadline ? formatDeadline(params.deadline, params.timezone) : '',
    program: params.programTitle?.trim() ?? '',
    voucherType: params.voucherType,
  };
  const sender = params.cityName?.trim() ? `Kezek, ${params.cityName.trim()}` : 'Kezek';
  return `${sender}: ${template(fields)}`;
}

/** DD.MM.YYYY HH:MM in the given zone, the way dates are written in Kazakhstan in both languages. */
export function formatDeadline(deadline: Date, timezone: string): string {
  if (Number.isNaN(deadline.getTime())) throw new Error('renderSms: params.deadline is an invalid date');
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    throw new Error(`renderSms: params.timezone "${timezone}" is not an IANA time zone`);
  }
  // formatToParts, not format(): locales differ in separators, ours must not.
  const parts = format.formatToParts(deadline);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')}.${part('month')}.${part('year')} ${part('hour')}:${part('minute')}`;
}

function kkVoucher(f: Fields): string {
  return f.voucherType ? `${KK_VOUCHER[f.voucherType]} ` : '';
}

function ruVoucherDative(f: Fields): string {
  return f.voucherType ? `${RU_VOUCHER[f.voucherType].dative} ` : '';
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

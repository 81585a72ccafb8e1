import type { AppliedCoupon, CouponRejection, Localized, ReasonCode, SelectedLicence } from './selection-result.js';

/**
 * Sentences the acknowledgement quotes (seed 4.9: a lower level says why). They name the client's
 * own licence and address only: a coupon or licence number of someone else is never echoed with
 * its owner, so a guess cannot be confirmed by mail.
 */
export interface ReasonContext {
  sender: string;
  licence: SelectedLicence | undefined;
  quotedKey: string | undefined;
  licenceFromMessage: boolean;
  urgentMarker: string | undefined;
  coupon: AppliedCoupon | undefined;
}

// Russian readers expect 31.12.2024; ISO in Russian text reads as a code.
function ruDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return y && m && d ? `${d}.${m}.${y}` : iso;
}

export function reasonText(code: ReasonCode, c: ReasonContext): Localized {
  const l = c.licence;
  switch (code) {
    case 'licence-matched':
      if (!l) break;
      return l.matchedBy === 'message'
        ? {
            en: `Licence ${l.key} (${l.type}, ${l.edition}) of ${l.owner} is identified by the number in your message; support until ${l.supportUntil}.`,
            ru: `Лицензия ${l.key} (${l.type}, ${l.edition}), владелец ${l.owner}, определена по номеру из вашего письма; поддержка до ${ruDate(l.supportUntil)}.`,
          }
        : {
            en: `Your address is registered to licence ${l.key} (${l.type}, ${l.edition}) of ${l.owner}; support until ${l.supportUntil}.`,
            ru: `Ваш адрес указан в лицензии ${l.key} (${l.type}, ${l.edition}), владелец ${l.owner}; поддержка до ${ruDate(l.supportUntil)}.`,
          };
    case 'vip-coupon': {
      const k = c.coupon;
      if (!k) break;
      return {
        en: `VIP coupon ${k.code} of licence ${k.licenceKey} is used: ${k.usedThisYear} of ${k.perYear} for ${k.year}.`,
        ru: `Использован VIP-купон ${k.code} лицензии ${k.licenceKey}: ${k.usedThisYear} из ${k.perYear} на ${k.year} год.`,
      };
    }
    case 'urgent':
      return {
        en: `The subject is marked urgent ("${c.urgentMarker ?? ''}").`,
        ru: `Тема письма содержит отметку срочности «${c.urgentMarker ?? ''}».`,
      };
    case 'no-licence':
      return c.licenceFromMessage
        ? {
            en: `No licence was found for your request: your address ${c.sender} is not registered to a licence and the message quotes no licence number. Please quote the licence (coupon) number of a product with active support.`,
            ru: `Лицензия для обращения не найдена: ваш адрес ${c.sender} не указан в лицензии, а в письме нет номера лицензии. Пожалуйста, укажите номер купона на продукт с активным сроком поддержки.`,
          }
        : {
            en: `Your address ${c.sender} is not registered to a licence; a commercial service level is given only to requests sent from an address listed in a licence.`,
            ru: `Ваш адрес ${c.sender} не указан ни в одной лицензии; коммерческий уровень поддержки предоставляется только обращениям с адресов, указанных в лицензии.`,
          };
    case 'address-not-in-licence':
      return {
        en: `Your message quotes licence ${c.quotedKey ?? ''}, but your address ${c.sender} is not registered to it; a commercial service level is given only to requests sent from an address listed in the licence.`,
        ru: `В письме указана лицензия ${c.quotedKey ?? ''}, но ваш адрес ${c.sender} в ней не указан; коммерческий уровень поддержки предоставляется только обращениям с адресов, указанных в лицензии.`,
      };
    case 'support-expired':
      if (!l) break;
      return {
        en: `Support for licence ${l.key} ended on ${l.supportUntil}; a commercial service level applies only while support is active.`,
        ru: `Срок поддержки по лицензии ${l.key} закончился ${ruDate(l.supportUntil)}; коммерческий уровень поддержки предоставляется только при активном сроке поддержки.`,
      };
    case 'no-rule':
      if (!l) break;
      return {
        en: `Licence ${l.key} (${l.type}, ${l.edition}) does not include a higher service level for this request.`,
        ru: `Лицензия ${l.key} (${l.type}, ${l.edition}) не предусматривает для этого обращения более высокого уровня поддержки.`,
      };
  }
  // Only reachable if the caller pairs a code with missing facts; say so rather than print "undefined".
  return { en: `Service level chosen: ${code}.`, ru: `Уровень поддержки выбран: ${code}.` };
}

export interface CouponContext {
  code: string;
  licence: SelectedLicence | undefined;
  year: number;
  perYear: number;
}

export function couponRejectionText(reason: CouponRejection, c: CouponContext): Localized {
  const why = ((): Localized => {
    switch (reason) {
      case 'no-licence':
        return { en: 'your address is not registered to a licence.', ru: 'ваш адрес не указан ни в одной лицензии.' };
      case 'other-licence':
        return { en: 'it belongs to a different licence than yours.', ru: 'он относится к другой лицензии.' };
      case 'licence-expired':
        return {
          en: `support for licence ${c.licence?.key ?? ''} ended on ${c.licence?.supportUntil ?? ''}.`,
          ru: `срок поддержки по лицензии ${c.licence?.key ?? ''} закончился ${ruDate(c.licence?.supportUntil ?? '')}.`,
        };
      case 'already-used':
        return { en: 'it has already been used; each coupon is good for one request.', ru: 'он уже был использован; каждый купон действует для одного обращения.' };
      case 'quota-exhausted':
        return {
          en: `all ${c.perYear} VIP requests of licence ${c.licence?.key ?? ''} for ${c.year} are used up.`,
          ru: `все VIP-обращения лицензии ${c.licence?.key ?? ''} на ${c.year} год (${c.perYear}) уже использованы.`,
        };
      case 'not-needed':
        return { en: 'the request gets its service level without it, so the coupon is kept.', ru: 'обращение получает свой уровень поддержки и без купона, купон сохранён.' };
    }
  })();
  return { en: `VIP coupon ${c.code} was not used: ${why.en}`, ru: `VIP-купон ${c.code} не использован: ${why.ru}` };
}

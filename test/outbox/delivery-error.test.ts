import { describe, expect, it } from 'vitest';
import { TidingsError } from '../../src/errors.js';
import { classifyDeliveryError, deliveryDetails, deliveryFailureKind, isPermanentReplyCode } from '../../src/outbox/delivery-error.js';

const smtpError = (props: Record<string, unknown>, message = 'failed') => Object.assign(new Error(message), props);

describe('classifyDeliveryError', () => {
  it.each([
    ['550 at DATA', { code: 'EMESSAGE', responseCode: 550, response: '550 5.7.1 message refused', command: 'DATA' }, 'permanent'],
    ['554 at RCPT (all refused)', { code: 'EENVELOPE', responseCode: 554, response: '554 no such user', command: 'RCPT TO' }, 'permanent'],
    ['552 size at MAIL', { code: 'EENVELOPE', responseCode: 552, response: '552 too big', command: 'MAIL FROM' }, 'permanent'],
    ['451 at DATA', { code: 'EMESSAGE', responseCode: 451, response: '451 try later', command: 'DATA' }, 'temporary'],
    ['421 at MAIL', { code: 'EENVELOPE', responseCode: 421, response: '421 closing', command: 'MAIL FROM' }, 'temporary'],
    ['450 at RCPT', { code: 'EENVELOPE', responseCode: 450, response: '450 greylisted', command: 'RCPT TO' }, 'temporary'],
    ['503 bad sequence', { code: 'EPROTOCOL', responseCode: 503, response: '503 bad sequence' }, 'temporary'],
    ['connection refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, 'temporary'],
    ['connection reset', { code: 'ECONNECTION', originalCode: 'ECONNRESET' }, 'temporary'],
    ['timeout', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }, 'temporary'],
    ['DNS', { code: 'EDNS', originalCode: 'ENOTFOUND', command: 'CONN' }, 'temporary'],
    ['auth 535', { code: 'EAUTH', responseCode: 535, response: '535 invalid credentials', command: 'AUTH PLAIN' }, 'temporary'],
    ['no credentials', { code: 'ENOAUTH' }, 'temporary'],
    ['no recipients (local envelope error)', { code: 'EENVELOPE' }, 'permanent'],
    ['disk full', { code: 'ENOSPC', errno: -28 }, 'temporary'],
    ['plain Node error', { code: 'ECONNRESET' }, 'temporary'],
    ['something unknown', {}, 'temporary'],
  ])('%s → %s', (_name, props, kind) => {
    const err = classifyDeliveryError(smtpError(props));
    expect(err).toBeInstanceOf(TidingsError);
    expect(err.code).toBe(kind === 'permanent' ? 'E_TRANSPORT_PERMANENT' : 'E_TRANSPORT_TEMPORARY');
    expect(deliveryFailureKind(smtpError(props))).toBe(kind);
    expect(deliveryDetails(err).permanent).toBe(kind === 'permanent');
  });

  it('keeps the SMTP response as the message and in the details', () => {
    const err = classifyDeliveryError(
      smtpError({ code: 'EMESSAGE', responseCode: 550, response: '550 5.7.1 rejected\r\n by policy', command: 'DATA' }, 'Message failed: 550 ...'),
    );
    expect(err.message).toBe('550 5.7.1 rejected  by policy');
    expect(deliveryDetails(err)).toMatchObject({ responseCode: 550, response: '550 5.7.1 rejected  by policy', code: 'EMESSAGE', command: 'DATA', permanent: true });
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('uses the error message when there is no response, and handles non-errors', () => {
    expect(classifyDeliveryError(smtpError({ code: 'ESOCKET' }, 'connect ECONNREFUSED 127.0.0.1:25')).message).toBe('connect ECONNREFUSED 127.0.0.1:25');
    expect(classifyDeliveryError('boom').code).toBe('E_TRANSPORT_TEMPORARY');
  });

  it('returns an already classified error unchanged', () => {
    const e = new TidingsError('E_TRANSPORT_PERMANENT', 'x', { details: { permanent: true } });
    expect(classifyDeliveryError(e)).toBe(e);
  });

  it('reads 5xx except 503 as permanent', () => {
    expect([421, 450, 451, 452, 503, 550, 551, 552, 553, 554].map(isPermanentReplyCode)).toEqual([false, false, false, false, false, true, true, true, true, true]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults } from '../../../src/core/staff/authentication-results.js';

describe('parseAuthenticationResults', () => {
  it('reads the authserv-id and every method with its properties', () => {
    const r = parseAuthenticationResults(
      'mx.desk.example; dkim=pass (2048-bit key) header.d=desk.example header.s=sel header.b=AbC+/=; spf=pass (sender SPF authorized) smtp.mailfrom=eve@desk.example; dmarc=pass header.from=desk.example',
    )!;
    expect(r.authservId).toBe('mx.desk.example');
    expect(r.results.map((x) => `${x.method}=${x.result}`)).toEqual(['dkim=pass', 'spf=pass', 'dmarc=pass']);
    expect(r.results[0]!.props).toMatchObject({ 'header.d': 'desk.example', 'header.s': 'sel', 'header.b': 'AbC+/=' });
    expect(r.results[1]!.props['smtp.mailfrom']).toBe('eve@desk.example');
  });

  it('takes a version after the authserv-id, method versions, quoted values, comments and odd spacing', () => {
    const r = parseAuthenticationResults('"mx.desk.example" 1 ; DKIM/1 = Pass (a (nested) comment) header . d = "desk.example" ; spf = FAIL smtp.mailfrom = x@y.example ;')!;
    expect(r.authservId).toBe('mx.desk.example');
    expect(r.results).toEqual([
      { method: 'dkim', result: 'pass', props: { 'header.d': 'desk.example' } },
      { method: 'spf', result: 'fail', props: { 'smtp.mailfrom': 'x@y.example' } },
    ]);
  });

  it('keeps a semicolon or parenthesis inside a quoted value', () => {
    const r = parseAuthenticationResults('mx.desk.example; dkim=pass reason="ok; (really)" header.d=desk.example')!;
    expect(r.results).toHaveLength(1);
    expect(r.results[0]!.props).toMatchObject({ reason: 'ok; (really)', 'header.d': 'desk.example' });
  });

  it('"none" and results it cannot read give no results, not an error', () => {
    expect(parseAuthenticationResults('mx.desk.example; none')!.results).toEqual([]);
    expect(parseAuthenticationResults('mx.desk.example 1; none')!.results).toEqual([]);
    expect(parseAuthenticationResults('mx.desk.example; =pass; dkim')!.results).toEqual([]);
  });

  it('the first of two equal properties wins', () => {
    const r = parseAuthenticationResults('mx.desk.example; dkim=pass header.d=desk.example header.d=evil.example')!;
    expect(r.results[0]!.props['header.d']).toBe('desk.example');
  });

  it('gives undefined without an authserv-id', () => {
    expect(parseAuthenticationResults('')).toBeUndefined();
    expect(parseAuthenticationResults('  ; dkim=pass')).toBeUndefined();
    expect(parseAuthenticationResults('(only a comment)')).toBeUndefined();
  });
});

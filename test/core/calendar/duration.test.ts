import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/core/duration.js';
import { expectCode } from './helpers.js';

describe('parseDuration', () => {
  it.each([
    ['90m', { minutes: 90, unit: 'm' }],
    ['24h', { minutes: 1440, unit: 'h' }],
    ['14d', { minutes: 20160, unit: 'd' }],
    ['1.5h', { minutes: 90, unit: 'h' }],
    ['0.1h', { minutes: 6, unit: 'h' }],
    [' 40 H ', { minutes: 2400, unit: 'h' }],
  ])('%s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each(['0h', '0m', '-5h', '+5h', '24', 'h', '5w', '', 'abc', '1.5', '1,5h', '0.5m', '1e3h', 'Infinityh', '999999999d'])(
    'rejects %j with E_DURATION_INVALID',
    (text) => {
      expectCode(() => parseDuration(text), 'E_DURATION_INVALID');
    },
  );
});

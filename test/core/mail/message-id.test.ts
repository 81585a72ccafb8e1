import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32 } from '../../../src/core/mail/base32.js';
import { makeMessageId, ticketFromReferences, verifyMessageId } from '../../../src/core/mail/message-id.js';
import { firstMessageId, parseMessageIdList } from '../../../src/core/mail/message-id-list.js';
import { expectCode } from './helpers.js';

const KEY = 'k'.repeat(32);
const OTHER_KEY = 'o'.repeat(32);
const nonce = (seed: number): Uint8Array => Uint8Array.from({ length: 10 }, (_, i) => (seed * 31 + i * 7) & 0xff);
const id = (tid: number, kind = 'ack', seed = 1, domain = 'desk.example'): string => makeMessageId({ tid, kind, nonce: nonce(seed), domain }, KEY);

describe('base32', () => {
  it.each<[string, string]>([
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ])('RFC 4648 vector %j', (text, expected) => expect(base32(Buffer.from(text))).toBe(expected));
});

describe('makeMessageId', () => {
  it('has the documented shape and embeds the ticket and kind', () => {
    const made = id(1234, 'relay');
    expect(made).toMatch(/^tidings\.1234\.relay\.[a-z2-7]{16}\.[a-z2-7]{20}@desk\.example$/);
  });

  it('is deterministic for the same inputs and differs per nonce', () => {
    expect(id(5, 'ack', 1)).toBe(id(5, 'ack', 1));
    expect(id(5, 'ack', 1)).not.toBe(id(5, 'ack', 2));
  });

  it('lower-cases the domain', () => expect(id(5, 'ack', 1, 'Desk.EXAMPLE')).toBe(id(5, 'ack', 1, 'desk.example')));

  it.each<[string, () => string]>([
    ['tid 0', () => makeMessageId({ tid: 0, kind: 'ack', nonce: nonce(1), domain: 'd.example' }, KEY)],
    ['tid 1.5', () => makeMessageId({ tid: 1.5, kind: 'ack', nonce: nonce(1), domain: 'd.example' }, KEY)],
    ['kind with a dot', () => makeMessageId({ tid: 1, kind: 'a.b', nonce: nonce(1), domain: 'd.example' }, KEY)],
    ['kind in upper case', () => makeMessageId({ tid: 1, kind: 'ACK', nonce: nonce(1), domain: 'd.example' }, KEY)],
    ['short nonce', () => makeMessageId({ tid: 1, kind: 'ack', nonce: new Uint8Array(4), domain: 'd.example' }, KEY)],
    ['domain with a space', () => makeMessageId({ tid: 1, kind: 'ack', nonce: nonce(1), domain: 'd example' }, KEY)],
    ['domain with an @', () => makeMessageId({ tid: 1, kind: 'ack', nonce: nonce(1), domain: 'a@d.example' }, KEY)],
  ])('refuses %s', (_, make) => expectCode(make, 'E_MESSAGE_ID_INVALID'));

  it('refuses a missing or short key', () => {
    expectCode(() => makeMessageId({ tid: 1, kind: 'ack', nonce: nonce(1), domain: 'd.example' }, ''), 'E_MESSAGE_ID_KEY_INVALID');
    expectCode(() => makeMessageId({ tid: 1, kind: 'ack', nonce: nonce(1), domain: 'd.example' }, new Uint8Array(15)), 'E_MESSAGE_ID_KEY_INVALID');
  });
});

describe('verifyMessageId', () => {
  const good = id(1234, 'ack');

  it('round-trips, with or without angle brackets and surrounding space', () => {
    expect(verifyMessageId(good, KEY)).toEqual({ tid: 1234, kind: 'ack' });
    expect(verifyMessageId(`<${good}>`, KEY)).toEqual({ tid: 1234, kind: 'ack' });
    expect(verifyMessageId(`  <${good}>\r\n`, KEY)).toEqual({ tid: 1234, kind: 'ack' });
  });

  it('accepts raw-byte keys and any key of a rotation list', () => {
    const bytes = Buffer.from(KEY);
    expect(verifyMessageId(makeMessageId({ tid: 3, kind: 'ack', nonce: nonce(1), domain: 'd.example' }, bytes), KEY)).toEqual({ tid: 3, kind: 'ack' });
    expect(verifyMessageId(good, [OTHER_KEY, KEY])).toEqual({ tid: 1234, kind: 'ack' });
  });

  it('rejects an id signed with another key', () => expect(verifyMessageId(good, OTHER_KEY)).toBeUndefined());

  it('rejects a tampered MAC', () => {
    const local = good.slice(0, good.indexOf('@'));
    const mac = local.slice(local.lastIndexOf('.') + 1);
    expect(mac).toHaveLength(20);
    const flipped = mac.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    expect(verifyMessageId(good.replace(`.${mac}@`, `.${flipped}@`), KEY)).toBeUndefined();
  });

  it('rejects the MAC of one ticket moved onto another ticket number', () => {
    expect(verifyMessageId(good.replace('tidings.1234.', 'tidings.1235.'), KEY)).toBeUndefined();
    expect(verifyMessageId(good.replace('tidings.1234.', 'tidings.01234.'), KEY)).toBeUndefined();
  });

  it('rejects a changed kind or domain', () => {
    expect(verifyMessageId(good.replace('.ack.', '.relay.'), KEY)).toBeUndefined();
    expect(verifyMessageId(good.replace('@desk.example', '@evil.example'), KEY)).toBeUndefined();
    expect(verifyMessageId(good.replace('@desk.example', '@DESK.example'), KEY)).toBeUndefined();
  });

  it.each(['', 'plain@example.com', 'CAF=abc@mail.gmail.com', 'tidings.1.ack.x.y@d.example', 'tidings.1.ack@d.example', '<>', '@', 'tidings.9007199254740993.ack.aaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaa@d.example'])(
    'returns undefined for foreign or malformed id %j',
    (text) => expect(verifyMessageId(text, KEY)).toBeUndefined(),
  );
});

describe('ticketFromReferences', () => {
  const a = id(10);
  const b = id(20);
  const c = id(30);

  it('prefers In-Reply-To', () => expect(ticketFromReferences(b, [a, c], KEY)).toBe(20));
  it('then References, newest (last) first', () => expect(ticketFromReferences(undefined, [a, b, 'x@y.example'], KEY)).toBe(20));
  it('skips ids that do not verify', () => expect(ticketFromReferences('forged@x.example', [a, c.replace('tidings.30.', 'tidings.31.')], KEY)).toBe(10));
  it('returns undefined when nothing verifies', () => {
    expect(ticketFromReferences(undefined, [], KEY)).toBeUndefined();
    expect(ticketFromReferences('a@b.example', ['c@d.example'], KEY)).toBeUndefined();
    expect(ticketFromReferences(a, [b], OTHER_KEY)).toBeUndefined();
  });
});

describe('parseMessageIdList', () => {
  it.each<[string, string[]]>([
    ['<a@b.example>', ['a@b.example']],
    ['<a@b.example> <c@d.example>\r\n <e@f.example>', ['a@b.example', 'c@d.example', 'e@f.example']],
    ["<a@b.example> (Fred's message of Monday)", ['a@b.example']],
    ['<a@b.example> <a@b.example>', ['a@b.example']],
    ['a@b.example c@d.example', ['a@b.example', 'c@d.example']],
    ['', []],
    ['no ids here', []],
  ])('%j gives %j', (value, expected) => expect(parseMessageIdList(value)).toEqual(expected));

  it('firstMessageId', () => {
    expect(firstMessageId('<x@y.example> <z@w.example>')).toBe('x@y.example');
    expect(firstMessageId(undefined)).toBeUndefined();
  });
});

describe('properties', () => {
  const parts = fc.record({
    tid: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    kind: fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
    nonce: fc.uint8Array({ minLength: 8, maxLength: 32 }),
    domain: fc.constantFrom('desk.example', 'support.client-1.example', 'x.y.z.example'),
  });

  it('verify(make(x)) gives back the ticket and kind', () => {
    fc.assert(fc.property(parts, (p) => {
      const v = verifyMessageId(makeMessageId(p, KEY), KEY);
      return v !== undefined && v.tid === p.tid && v.kind === p.kind;
    }));
  });

  it('changing any single character makes verification fail', () => {
    const printable = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(parts, fc.nat(), printable, (p, at, ch) => {
        const made = makeMessageId(p, KEY);
        const i = at % made.length;
        fc.pre(made[i] !== ch);
        const changed = made.slice(0, i) + ch + made.slice(i + 1);
        return verifyMessageId(changed, KEY) === undefined;
      }),
      { numRuns: 2000 },
    );
  });

  it('another key never verifies', () => {
    fc.assert(fc.property(parts, (p) => verifyMessageId(makeMessageId(p, KEY), OTHER_KEY) === undefined));
  });
});

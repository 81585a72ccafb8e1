import { describe, expect, it } from 'vitest';
import { domainOf, extractAddress, localPart } from '../../../src/core/mail/address.js';
import { parseContentType } from '../../../src/core/mail/content-type.js';
import { parseHeaderBlock, parseHeaderFields, splitBlocks } from '../../../src/core/mail/header-block.js';
import { firstHeader, hasHeader, headerValues } from '../../../src/core/mail/mail-headers.js';
import { normalizeSubject } from '../../../src/core/mail/subject-text.js';

describe('extractAddress', () => {
  it.each<[string | undefined, string | undefined]>([
    ['Ann <Ann@Client.Example>', 'ann@client.example'],
    ['"Support, Inc." <help@example.com> (desk)', 'help@example.com'],
    ['"a <b@c.example>" <real@x.example>', 'real@x.example'],
    ['ann@client.example (Ann)', 'ann@client.example'],
    ['<>', ''],
    ['  < >  ', ''],
    ['<MAILER-DAEMON>', 'mailer-daemon'],
    ['MAILER-DAEMON', 'mailer-daemon'],
    ['<@relay.example:user@host.example>', 'user@host.example'],
    ['"just a name"', undefined],
    ['two words', undefined],
    [undefined, undefined],
  ])('%j → %j', (value, expected) => expect(extractAddress(value)).toBe(expected));

  it('localPart and domainOf split at the last @', () => {
    expect(localPart('"a@b"@C.example')).toBe('"a@b"');
    expect(domainOf('"a@b"@C.example')).toBe('c.example');
    expect(domainOf('nodomain')).toBe('');
  });
});

describe('parseContentType', () => {
  it('parses type and parameters, quoted or not, case-insensitively', () => {
    expect(parseContentType('Multipart/Report; Report-Type="delivery-status"; boundary="a;b\\"c"')).toEqual({
      type: 'multipart/report',
      params: { 'report-type': 'delivery-status', boundary: 'a;b"c' },
    });
  });
  it('defaults to text/plain when absent or broken (RFC 2045)', () => {
    expect(parseContentType(undefined).type).toBe('text/plain');
    expect(parseContentType('garbage').type).toBe('text/plain');
  });
});

describe('header blocks', () => {
  it('unfolds, lower-cases names, keeps order and repeats, and stops at the empty line', () => {
    const text = 'Received: a\r\n\tb\r\nreceived: c\r\nSubject: hi\r\nnot a header line\r\n\r\nBody: no\r\n';
    expect(parseHeaderFields(text)).toEqual([
      { name: 'received', value: 'a b' },
      { name: 'received', value: 'c' },
      { name: 'subject', value: 'hi' },
    ]);
    const block = parseHeaderBlock(text);
    expect(block.received).toEqual(['a b', 'c']);
    expect(block.body).toBeUndefined();
  });

  it('stores a field named __proto__ as data, not as the prototype', () => {
    const block = parseHeaderBlock('__proto__: x\nconstructor: y\n');
    expect(block['__proto__']).toEqual(['x']);
    expect(block['constructor']).toEqual(['y']);
  });

  it('splits blocks on empty lines with any line ending', () => {
    expect(splitBlocks('a: 1\r\n\r\nb: 2\n \nc: 3\r\rd: 4')).toEqual(['a: 1', 'b: 2', 'c: 3', 'd: 4']);
    expect(splitBlocks('a: 1\r\nb: 2')).toEqual(['a: 1\nb: 2']);
  });
});

describe('mail headers record', () => {
  const headers = { subject: ['x'], received: ['a', 'b'] };
  it('looks names up case-insensitively and only as own properties', () => {
    expect(headerValues(headers, 'Received')).toEqual(['a', 'b']);
    expect(firstHeader(headers, 'SUBJECT')).toBe('x');
    expect(hasHeader(headers, 'toString')).toBe(false);
    expect(headerValues(headers, 'constructor')).toEqual([]);
  });
});

describe('normalizeSubject', () => {
  it('makes one line', () => expect(normalizeSubject(' a\r\nb\t\u0000c  ')).toBe('a b c'));
});

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isTidingsError } from '../../src/errors.js';
import { readStdin } from '../../src/sources/read-stdin.js';

describe('readStdin', () => {
  it('returns every byte unchanged, across chunks', async () => {
    const bytes = Buffer.from('Subject: =?koi8-r?B?8NLJ18XU?=\r\n\r\n\xff\xfe\x00body\n', 'latin1');
    const input = Readable.from([bytes.subarray(0, 5), bytes.subarray(5, 9), bytes.subarray(9)]);
    const out = await readStdin({ input });
    expect(out.equals(bytes)).toBe(true);
  });

  it('accepts string chunks and an empty input', async () => {
    expect((await readStdin({ input: Readable.from(['ab', 'c']) })).toString()).toBe('abc');
    expect((await readStdin({ input: Readable.from([]) })).length).toBe(0);
  });

  it('accepts exactly maxBytes and refuses one more with E_MESSAGE_TOO_LARGE, destroying the stream', async () => {
    expect((await readStdin({ input: Readable.from([Buffer.alloc(6), Buffer.alloc(4)]), maxBytes: 10 })).length).toBe(10);
    const input = Readable.from([Buffer.alloc(6), Buffer.alloc(5), Buffer.alloc(100)]);
    const err = await readStdin({ input, maxBytes: 10 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTidingsError(err, 'E_MESSAGE_TOO_LARGE')).toBe(true);
    expect((err as Error).message).toMatch(/exceeds 10 bytes/);
    expect(input.destroyed).toBe(true);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshRepos } from './helpers.js';

describe('blob repository', () => {
  it('stores bytes under their sha256 and returns them exactly', () => {
    const { blobs } = freshRepos();
    const bytes = Buffer.from([0, 255, 13, 10, 0xc3, 0x28, 0x80, 0]);
    const r = blobs.put(bytes);
    expect(r).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), size: 8, created: true });
    expect(blobs.get(r.sha256)?.equals(bytes)).toBe(true);
    expect(blobs.has(r.sha256)).toBe(true);
    expect(blobs.size(r.sha256)).toBe(8);
  });

  it('deduplicates identical content', () => {
    const repos = freshRepos();
    const a = repos.blobs.put(Buffer.from('same bytes'));
    const b = repos.blobs.put(new Uint8Array(Buffer.from('same bytes')));
    expect(b).toEqual({ ...a, created: false });
    expect(repos.blobs.put(Buffer.from('other bytes')).created).toBe(true);
    expect(repos.db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(2);
  });

  it('accepts a Uint8Array view into a larger buffer', () => {
    const { blobs } = freshRepos();
    const backing = Buffer.from('xxHELLOxx');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 5);
    const r = blobs.put(view);
    expect(blobs.get(r.sha256)?.toString()).toBe('HELLO');
  });

  it('stores an empty blob', () => {
    const { blobs } = freshRepos();
    const r = blobs.put(Buffer.alloc(0));
    expect(r.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(blobs.get(r.sha256)?.length).toBe(0);
  });

  it('answers undefined for an unknown hash', () => {
    const { blobs } = freshRepos();
    expect(blobs.get('0'.repeat(64))).toBeUndefined();
    expect(blobs.has('0'.repeat(64))).toBe(false);
  });
});

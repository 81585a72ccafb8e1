import { randomFillSync } from 'node:crypto';

/**
 * Random bytes handed out from a pre-filled block: one getrandom call per `blockSize` bytes
 * instead of one per Message-ID nonce (two or more per incoming message). Each block is a fresh
 * buffer, so bytes already handed out are never overwritten; a request larger than a block gets
 * its own buffer.
 */
export function createRandomPool(blockSize = 4096): (n: number) => Uint8Array {
  let block = Buffer.alloc(0);
  let offset = 0;
  return (n) => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`random byte count must be a non-negative integer, got ${n}`);
    if (n > blockSize) return randomFillSync(Buffer.allocUnsafe(n));
    if (offset + n > block.length) {
      block = randomFillSync(Buffer.allocUnsafe(blockSize));
      offset = 0;
    }
    const out = block.subarray(offset, offset + n);
    offset += n;
    return out;
  };
}

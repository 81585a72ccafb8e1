/**
 * Group commit for a source whose messages arrive on their own (LMTP: one per connection and
 * transaction) rather than from a listing it can cut into batches. A message's promise settles
 * only after the transaction holding it committed, or rejects when it could not be stored, so the
 * caller answers its sender exactly then.
 *
 * Messages that arrive within `windowMs` of the first waiting one, up to `batchSize` of them (or
 * `maxBatchBytes`), are parsed together and stored in one transaction. Commits keep arrival order:
 * a batch is parsed while the one before it commits. When a batch cannot be prepared or committed,
 * its messages are handed to the one-message handler one at a time, so one message's temporary
 * failure does not fail the others.
 */
import type { BatchHandler, IngestOutcome, MessageHandler, PreparedBatch, SourceMessage } from './mail-source.js';

export interface GroupCommitDeps {
  handler: MessageHandler;
  /** Without it every message is stored by `handler` in its own transaction. */
  batchHandler?: BatchHandler;
  batchSize: number;
  maxBatchBytes: number;
  windowMs: number;
  /** A batch's prepare or commit failed and its messages go one at a time: for the log. */
  onBatchFailed?: (err: unknown, count: number) => void;
}

export interface GroupCommit {
  /** Resolves once the message is committed (stored, duplicate or quarantined); rejects on a temporary failure. */
  submit(message: SourceMessage): Promise<IngestOutcome>;
  /** Commits what is waiting now instead of at the end of the window; resolves when every submitted message settled. */
  drain(): Promise<void>;
  /** Messages submitted and not settled yet, with the time the oldest was submitted. */
  pending(): { count: number; oldestAt: number | undefined };
}

interface Waiting {
  message: SourceMessage;
  at: number;
  resolve: (out: IngestOutcome) => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit(deps: GroupCommitDeps, now: () => number): GroupCommit {
  let queue: Waiting[] = [];
  let queuedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The last batch's commit; the next commit waits for it so commits keep arrival order. */
  let chain: Promise<void> = Promise.resolve();
  const inFlight = new Set<Waiting>();

  const oneByOne = async (items: Waiting[]): Promise<void> => {
    for (const w of items) {
      try {
        w.resolve(await deps.handler(w.message.raw, w.message.position));
      } catch (err) {
        w.reject(err);
      }
    }
  };

  const run = (items: Waiting[]): void => {
    const batchHandler = deps.batchHandler;
    // Parsing starts at once and overlaps the commit before it; only the commits are ordered.
    const prepared: Promise<PreparedBatch | { failed: unknown }> | undefined = batchHandler
      ? batchHandler.prepare(items.map((w) => w.message)).catch((err: unknown) => ({ failed: err }))
      : undefined;
    const step = async (): Promise<void> => {
      if (!batchHandler || !prepared) return oneByOne(items);
      const p = await prepared;
      if ('failed' in p) {
        deps.onBatchFailed?.(p.failed, items.length);
        return oneByOne(items);
      }
      let outcomes: IngestOutcome[];
      try {
        outcomes = batchHandler.commit(p);
      } catch (err) {
        deps.onBatchFailed?.(err, items.length);
        return oneByOne(items);
      }
      items.forEach((w, i) => w.resolve(outcomes[i]!));
    };
    chain = chain.then(step).catch((err: unknown) => {
      // step settles every message itself; this only guards against a bug leaving one hanging
      for (const w of items) w.reject(err);
    });
  };

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    queuedBytes = 0;
    run(items);
  };

  return {
    submit(message) {
      return new Promise<IngestOutcome>((resolve, reject) => {
        const w: Waiting = {
          message,
          at: now(),
          resolve: (out) => {
            inFlight.delete(w);
            resolve(out);
          },
          reject: (err) => {
            inFlight.delete(w);
            reject(err);
          },
        };
        inFlight.add(w);
        if (queue.length > 0 && queuedBytes + message.raw.length > deps.maxBatchBytes) flush();
        queue.push(w);
        queuedBytes += message.raw.length;
        if (queue.length >= deps.batchSize || queuedBytes >= deps.maxBatchBytes) flush();
        else timer ??= setTimeout(flush, deps.windowMs);
      });
    },
    async drain() {
      flush();
      await chain;
    },
    pending() {
      let oldestAt: number | undefined;
      for (const w of inFlight) if (oldestAt === undefined || w.at < oldestAt) oldestAt = w.at;
      return { count: inFlight.size, oldestAt };
    },
  };
}

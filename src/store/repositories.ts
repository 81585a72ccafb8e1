import { createAckRequestRepository, type AckRequestRepository } from './ack-request-repository.js';
import { createAutoReplyRepository, type AutoReplyRepository } from './auto-reply-repository.js';
import { createBlobRepository, type BlobRepository } from './blob-repository.js';
import { createCouponRepository, type CouponRepository } from './coupon-repository.js';
import { createEscalationNoticeRepository, type EscalationNoticeRepository } from './escalation-notice-repository.js';
import { createEventRepository, type EventRepository } from './event-repository.js';
import { createInboundKeyRepository, type InboundKeyRepository } from './inbound-key-repository.js';
import { createMessageRepository, type MessageRepository } from './message-repository.js';
import type { Db } from './open-database.js';
import { createOutboxRepository, type OutboxRepository } from './outbox-repository.js';
import { createParticipantRepository, type ParticipantRepository } from './participant-repository.js';
import { createQuarantineRepository, type QuarantineRepository } from './quarantine-repository.js';
import { createSourceCursorRepository, type SourceCursorRepository } from './source-cursor-repository.js';
import { createTicketRepository, type TicketRepository } from './ticket-repository.js';
import { createUndeliverableRepository, type UndeliverableRepository } from './undeliverable-repository.js';

export interface Repositories {
  db: Db;
  tickets: TicketRepository;
  messages: MessageRepository;
  participants: ParticipantRepository;
  events: EventRepository;
  outbox: OutboxRepository;
  inboundKeys: InboundKeyRepository;
  cursors: SourceCursorRepository;
  quarantine: QuarantineRepository;
  blobs: BlobRepository;
  escalations: EscalationNoticeRepository;
  coupons: CouponRepository;
  autoReplies: AutoReplyRepository;
  /** Acknowledgements per sender and request: the acknowledgement's own loop cap (seed 4.12). */
  ackRequests: AckRequestRepository;
  undeliverable: UndeliverableRepository;
  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so two processes never
   * deadlock upgrading a read). Synchronous only: better-sqlite3 refuses a function that returns a
   * promise, so nothing may be awaited inside. Nested calls become savepoints.
   *
   * `durable: false` commits without waiting for the disk (synchronous=NORMAL for this one commit
   * when the store runs FULL): for bookkeeping whose loss on a power failure only repeats work, such
   * as an outbox claim or a "sent" mark (the mail then goes again, same bytes, same Message-ID). The
   * WAL is appended in order, so the next durable commit makes it durable too. A process crash
   * loses nothing either way: the commit is in the operating system's cache.
   */
  transaction<T>(fn: () => T, options?: TransactionOptions): T;
}

export interface TransactionOptions {
  /** Default true: the commit is on disk when this returns. */
  durable?: boolean;
}

/** Builds every repository over one migrated database; all statements are prepared here, once. */
export function createRepositories(db: Db): Repositories {
  const blobs = createBlobRepository(db);
  // 2 = FULL, 3 = EXTRA: the levels that fsync at every commit in WAL mode.
  const configuredSync = Number(db.pragma('synchronous', { simple: true }));
  const syncsEveryCommit = configuredSync >= 2;
  return {
    db,
    tickets: createTicketRepository(db),
    messages: createMessageRepository(db, blobs),
    participants: createParticipantRepository(db),
    events: createEventRepository(db),
    outbox: createOutboxRepository(db),
    inboundKeys: createInboundKeyRepository(db),
    cursors: createSourceCursorRepository(db),
    quarantine: createQuarantineRepository(db),
    blobs,
    escalations: createEscalationNoticeRepository(db),
    coupons: createCouponRepository(db),
    autoReplies: createAutoReplyRepository(db),
    ackRequests: createAckRequestRepository(db),
    undeliverable: createUndeliverableRepository(db),
    transaction<T>(fn: () => T, options?: TransactionOptions): T {
      const run = db.transaction(fn);
      if (db.inTransaction) return run();
      if (options?.durable !== false || !syncsEveryCommit) return run.immediate();
      db.pragma('synchronous = NORMAL');
      try {
        return run.immediate();
      } finally {
        db.pragma(`synchronous = ${configuredSync}`);
      }
    },
  };
}

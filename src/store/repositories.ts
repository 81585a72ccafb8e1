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
  undeliverable: UndeliverableRepository;
  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so two processes never
   * deadlock upgrading a read). Synchronous only: better-sqlite3 refuses a function that returns a
   * promise, so nothing may be awaited inside. Nested calls become savepoints.
   */
  transaction<T>(fn: () => T): T;
}

/** Builds every repository over one migrated database; all statements are prepared here, once. */
export function createRepositories(db: Db): Repositories {
  const blobs = createBlobRepository(db);
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
    undeliverable: createUndeliverableRepository(db),
    transaction<T>(fn: () => T): T {
      const run = db.transaction(fn);
      return db.inTransaction ? run() : run.immediate();
    },
  };
}

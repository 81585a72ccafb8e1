import type { AcksInWindow } from '../core/mail/ack-loop-cap.js';
import type { Db } from './open-database.js';

/** The acknowledgements queued per sender and request, for the cap that breaks acknowledgement loops. */
export interface AckRequestRepository {
  /** `at`: when the acknowledged request arrived. */
  record(address: string, fingerprint: string, at: number): void;
  /** Acknowledgements to the address for requests that arrived at or after `since`, and how many of them answered `fingerprint`. */
  recentSince(address: string, fingerprint: string, since: number): AcksInWindow;
}

export function createAckRequestRepository(db: Db): AckRequestRepository {
  const insert = db.prepare<[string, string, number]>('INSERT INTO ack_requests (address, fingerprint, at) VALUES (?, ?, ?)');
  // One range scan of the sender's window through ack_requests_address_at gives both counts.
  const recent = db.prepare<[string, string, number], AcksInWindow>(
    'SELECT count(*) AS total, coalesce(sum(fingerprint = ?), 0) AS sameRequest FROM ack_requests WHERE address = ? AND at >= ?',
  );
  return {
    record(address, fingerprint, at) {
      insert.run(address.toLowerCase(), fingerprint, at);
    },
    recentSince(address, fingerprint, since) {
      const r = recent.get(fingerprint, address.toLowerCase(), since);
      return { total: r?.total ?? 0, sameRequest: r?.sameRequest ?? 0 };
    },
  };
}

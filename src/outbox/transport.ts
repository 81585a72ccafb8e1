/**
 * The edge the outbox loop sends through. A transport takes finished RFC 5322 bytes and an SMTP
 * envelope; it never renders, never touches the database and never retries on its own beyond
 * what its library does within one call. Failures are thrown as TidingsError with code
 * E_TRANSPORT_TEMPORARY or E_TRANSPORT_PERMANENT (see delivery-error.ts).
 */
export interface Envelope {
  /** MAIL FROM. */
  from: string;
  /** RCPT TO, one per recipient. */
  to: string[];
}

/** A recipient the server refused while accepting the message for the others. */
export interface RejectedRecipient {
  address: string;
  /** The server's reply to RCPT TO for this address. */
  response: string;
  /** True for a 5xx reply (this address will never take the message), false for 4xx. */
  permanent: boolean;
}

/** What a successful send reports. A transport may return nothing, meaning every recipient took it. */
export interface SendReceipt {
  accepted: string[];
  /** Non-empty only for a partial delivery: some recipients refused, at least one accepted. */
  rejected: RejectedRecipient[];
  /** The server's final reply (e.g. `250 OK: queued as ...`), or where the file went. */
  response?: string;
}

export interface MailTransport {
  /** 'smtp' | 'file' | a test double's name; for logs. */
  readonly kind: string;
  /** How many sends this transport can usefully run at once (the SMTP pool size); 1 when unset. */
  readonly maxConcurrency?: number;
  /**
   * Delivers `raw` exactly as given. Resolves once the server (or the disk) has taken
   * responsibility for it. `messageId` is ours, without angle brackets; it names the file of the
   * file transport and appears in logs, it is not written into the bytes.
   */
  send(envelope: Envelope, raw: Buffer, messageId: string): Promise<SendReceipt | void>;
  /** Checks that the transport can be used (connects and logs in, or the spool directory is writable). */
  verify?(): Promise<void>;
  /** Releases connections; a send in flight is allowed to finish first. */
  close(): Promise<void>;
}

/**
 * What the outbox row's `mail` JSON column holds: everything needed to render the message again
 * byte for byte, so a retry after a crash sends the same Message-ID and content.
 */
export interface OutboundAttachment {
  sha256: string;
  filename?: string;
  contentType: string;
}

export interface OutboundMail {
  from: { address: string; name?: string };
  to: string[];
  cc?: string[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /** Without angle brackets. */
  inReplyTo?: string;
  references?: string[];
  /** Extra headers, e.g. `Auto-Submitted: auto-replied`, `X-Tidings-Ticket`. */
  headers?: Record<string, string>;
  attachments?: OutboundAttachment[];
  /** Epoch ms written into the Date header; fixed at enqueue so a retry renders the same bytes. */
  date: number;
}

import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { RawConfig } from '../config/schema.js';
import { requireSecret } from '../config/secrets.js';
import { classifyDeliveryError } from './delivery-error.js';
import type { Envelope, MailTransport, RejectedRecipient, SendReceipt } from './transport.js';

export type SmtpTransportConfig = Extract<RawConfig['transport'], { kind: 'smtp' }>;

export interface SmtpTimeouts {
  /** TCP connect (and TLS for `secure`), default 30 s. */
  connectionMs?: number;
  /** Wait for the 220 greeting, default 30 s. */
  greetingMs?: number;
  /** Inactivity on an open connection, default 60 s: a stalled server must not hold the loop past its lease. */
  socketMs?: number;
}

export interface SmtpTransportDeps {
  config: SmtpTransportConfig;
  logger: Logger;
  /** Where `password_env` is looked up; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Host name we announce in EHLO; nodemailer's default (the machine name) when unset. */
  clientName?: string;
  timeouts?: SmtpTimeouts;
}

interface SentInfo {
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: Array<{ recipient?: unknown; response?: unknown; responseCode?: unknown; message?: unknown }>;
  response?: unknown;
}

const addressOf = (a: unknown): string =>
  typeof a === 'string' ? a : a !== null && typeof a === 'object' && 'address' in a ? String((a as { address: unknown }).address) : String(a);

/** Receipt from nodemailer's info: accepted recipients, and the refused ones of a partial delivery. */
export function receiptFromInfo(info: SentInfo): SendReceipt {
  const errors = info.rejectedErrors ?? [];
  const rejected: RejectedRecipient[] = (info.rejected ?? []).map((r) => {
    const address = addressOf(r);
    const e = errors.find((x) => typeof x.recipient === 'string' && x.recipient.toLowerCase() === address.toLowerCase());
    const response = typeof e?.response === 'string' ? e.response : typeof e?.message === 'string' ? e.message : 'rejected';
    const code = typeof e?.responseCode === 'number' ? e.responseCode : Number.parseInt(response.slice(0, 3), 10);
    return { address, response, permanent: code >= 500 && code !== 503 };
  });
  const receipt: SendReceipt = { accepted: (info.accepted ?? []).map(addressOf), rejected };
  if (typeof info.response === 'string') receipt.response = info.response;
  return receipt;
}

/**
 * SMTP through nodemailer: a pool of `max_connections` connections when `pool` is set (the
 * default), else one connection per message. The password is read once, here, from the env var or
 * file the config names; it is never logged (nodemailer's own logger stays off, since with `debug`
 * it would write the message data too).
 *
 * The message goes out as given (`raw`), with the explicit envelope; nodemailer does not touch the
 * bytes. Errors come out classified (E_TRANSPORT_TEMPORARY / E_TRANSPORT_PERMANENT).
 */
export function createSmtpTransport(deps: SmtpTransportDeps): MailTransport {
  const { config, logger } = deps;
  const auth = config.user
    ? { user: config.user, pass: requireSecret({ env: config.password_env, file: config.password_file }, 'the SMTP password', deps.env ?? process.env) }
    : undefined;
  const t = deps.timeouts ?? {};
  const options = {
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(auth ? { auth } : {}),
    ...(deps.clientName ? { name: deps.clientName } : {}),
    connectionTimeout: t.connectionMs ?? 30_000,
    greetingTimeout: t.greetingMs ?? 30_000,
    socketTimeout: t.socketMs ?? 60_000,
    logger: false,
    debug: false,
    ...(config.pool
      ? {
          pool: true as const,
          maxConnections: config.max_connections,
          // The outbox loop retries with its own backoff and lease; a short in-pool requeue only
          // covers a pooled connection the server closed just as a message was handed to it.
          maxRequeues: 2,
        }
      : {}),
  };
  // One overload per transport kind; the options object is the SMTP (or pool) shape either way.
  const transporter = nodemailer.createTransport(options as Parameters<typeof nodemailer.createTransport>[0] & object);
  transporter.on('error', (err: unknown) => logger.warn({ err, event: 'smtp.error' }, 'smtp transport error'));
  let closed = false;

  return {
    kind: 'smtp',
    maxConcurrency: config.pool ? config.max_connections : 1,
    async send(envelope: Envelope, raw: Buffer, messageId: string): Promise<SendReceipt> {
      try {
        const info = (await transporter.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw })) as SentInfo;
        return receiptFromInfo(info);
      } catch (err) {
        const failure = classifyDeliveryError(err);
        logger.debug({ event: 'smtp.send_failed', messageId, code: failure.code }, 'smtp send failed');
        throw failure;
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (err) {
        throw classifyDeliveryError(err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Idle pooled connections close at once; a connection delivering a message finishes it.
      transporter.close();
    },
  };
}

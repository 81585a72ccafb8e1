import type { Logger } from 'pino';
import type { RawConfig } from '../config/schema.js';
import { createFileTransport } from './file-transport.js';
import type { SmtpTimeouts } from './smtp-transport.js';
import type { MailTransport } from './transport.js';

export type TransportConfig = RawConfig['transport'];

export interface CreateMailTransportDeps {
  /** `config.transport` (paths already absolute). */
  config: TransportConfig;
  /** The outbox component's logger. */
  logger: Logger;
  now: () => number;
  /** Where SMTP `password_env` is looked up; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** EHLO name for SMTP. */
  clientName?: string;
  smtpTimeouts?: SmtpTimeouts;
}

/**
 * The configured transport: SMTP (pooled by default) or the file spool of the embedded default.
 * nodemailer is imported only for SMTP, so a spooling daemon starts without loading it.
 */
export async function createMailTransport(deps: CreateMailTransportDeps): Promise<MailTransport> {
  const { config, logger } = deps;
  if (config.kind === 'file') return createFileTransport({ dir: config.path, logger, now: deps.now });
  const { createSmtpTransport } = await import('./smtp-transport.js');
  return createSmtpTransport({
    config,
    logger,
    ...(deps.env ? { env: deps.env } : {}),
    ...(deps.clientName ? { clientName: deps.clientName } : {}),
    ...(deps.smtpTimeouts ? { timeouts: deps.smtpTimeouts } : {}),
  });
}

import { hasDotlessDomain } from '../core/mail/address.js';
import type { IngestDeps } from './ingest-deps.js';

/** Why no automatic mail may go to an address; recorded as the `reason` of a *.suppressed event. */
export type AutomaticMailRefusal = 'undeliverable' | 'dotless-domain';

/**
 * Automatic mail goes only where it can arrive: never to an address a bounce marked undeliverable,
 * and not to an intranet host without a dot (root@localhost) unless limits.auto_reply_dotless_domains
 * says the desk's own network delivers there. The message itself is kept either way.
 */
export function automaticMailRefusal(deps: Pick<IngestDeps, 'config' | 'repos'>, address: string): AutomaticMailRefusal | undefined {
  if (deps.repos.undeliverable.isUndeliverable(address)) return 'undeliverable';
  if (!deps.config.limits.auto_reply_dotless_domains && hasDotlessDomain(address)) return 'dotless-domain';
  return undefined;
}

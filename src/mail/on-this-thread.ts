import type { RenderMailInput } from '../outbox/render-mail.js';
import type { ParseFn } from './parse-message.js';

/**
 * parseMessage and renderMail on the calling thread, their modules loaded on the first call. The
 * daemon parses and renders in its mail thread, so its main thread, which starts the source and
 * commits, never waits for mailparser and nodemailer to load; a one-message command or a test
 * that does the work here loads them once, when it needs them.
 */
export const parseOnThisThread: ParseFn = async (raw, options) => (await import('./parse-message.js')).parseMessage(raw, options);

export async function renderOnThisThread(input: RenderMailInput): Promise<Buffer> {
  return (await import('../outbox/render-mail.js')).renderMail(input);
}

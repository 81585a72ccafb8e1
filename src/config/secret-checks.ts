import path from 'node:path';
import type { CrossIssue } from './cross-checks.js';
import type { RawConfig } from './schema.js';
import { readSecret, type SecretRef } from './secrets.js';

/**
 * Every secret the configured source, transport and security settings will read at start must
 * resolve now, so a missing one is reported where the admin named it (the key that names the
 * variable or file) instead of surfacing later as a bare runtime error. Secrets a setting does
 * not use (an SMTP password without an SMTP user) are not demanded.
 */
export function secretIssues(config: Pick<RawConfig, 'source' | 'transport' | 'security'>, configDir: string, env: NodeJS.ProcessEnv): CrossIssue[] {
  const out: CrossIssue[] = [];
  // Secret files are relative to the main file's folder, as buildConfig resolves them.
  const abs = (f: string | undefined): string | undefined => (f ? path.resolve(configDir, f) : undefined);
  const src = config.source;
  if (src.kind === 'imap') {
    check(out, ['source'], { env: src.password_env, file: abs(src.password_file) }, ['password_env', 'password_file'], 'the IMAP password', env, true);
  }
  const tr = config.transport;
  if (tr.kind === 'smtp' && tr.user) {
    check(out, ['transport'], { env: tr.password_env, file: abs(tr.password_file) }, ['password_env', 'password_file'], 'the SMTP password', env, true);
  }
  const sec = config.security;
  // Without hmac_key_env/hmac_key_file a key is created beside the database, so none is required.
  check(out, ['security'], { env: sec.hmac_key_env, file: abs(sec.hmac_key_file) }, ['hmac_key_env', 'hmac_key_file'], 'the HMAC key', env, false);
  return out;
}

function check(
  out: CrossIssue[],
  at: string[],
  ref: SecretRef,
  [envKey, fileKey]: [string, string],
  what: string,
  env: NodeJS.ProcessEnv,
  required: boolean,
): void {
  if (!ref.env && !ref.file) {
    if (required) out.push({ path: at, message: `${what} needs ${envKey} or ${fileKey}` });
    return;
  }
  if (readSecret(ref, env) !== undefined) return;
  // Reported on the first key the secret would be read from; the message names the fallback too.
  const fileText = ref.file ? `file ${ref.file} does not exist` : undefined;
  if (ref.env) {
    const also = fileText ? `, and ${fileText}` : '';
    out.push({ path: at, keyOf: envKey, message: `environment variable ${ref.env} is not set${also} (${what})` });
  } else {
    out.push({ path: at, keyOf: fileKey, message: `${fileText} (${what})` });
  }
}

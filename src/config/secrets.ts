import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TidingsError } from '../errors.js';

export interface SecretRef {
  env?: string | undefined;
  file?: string | undefined;
}

/** Reads a secret from the env var or file the config names; undefined when neither is set. */
export function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (ref.env) {
    const v = env[ref.env];
    if (v !== undefined && v !== '') return v;
  }
  if (ref.file) {
    if (!existsSync(ref.file)) return undefined;
    return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
  }
  return undefined;
}

export function requireSecret(ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = readSecret(ref, env);
  if (v === undefined) {
    const where = [ref.env && `env ${ref.env}`, ref.file && `file ${ref.file}`].filter(Boolean).join(' or ');
    throw new TidingsError('E_SECRET_MISSING', `${what} is not set${where ? ` (looked in ${where})` : ' (configure password_env or password_file)'}`, {
      details: { what },
    });
  }
  return v;
}

/**
 * The Message-ID HMAC key. When the admin configured none, a random key is created once beside
 * the database so a fresh install works and the key survives restarts.
 */
export function hmacKey(ref: SecretRef, dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const configured = readSecret(ref, env);
  if (configured !== undefined) return Buffer.from(configured, 'utf8');
  if (ref.env || ref.file) requireSecret(ref, 'the HMAC key', env);
  const keyFile = path.join(dataDir, 'hmac.key');
  if (existsSync(keyFile)) return Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

import path from 'node:path';
import { defaultConfigPath } from '../config/load-config.js';
import type { CliIo } from './io.js';

/** `--config` wins, then $TIDINGS_CONFIG, then config/tidings.yaml, relative to the working directory. */
export function resolveConfigPath(io: CliIo, option: string | undefined): string {
  return path.resolve(io.cwd, option ?? defaultConfigPath(io.env));
}

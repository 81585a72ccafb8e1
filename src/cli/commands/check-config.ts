import path from 'node:path';
import { configWarnings } from '../../config/config-warnings.js';
import { ConfigError, loadConfig } from '../../config/load-config.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';

export interface CheckConfigOptions {
  file?: string | undefined;
  config?: string | undefined;
  json?: boolean | undefined;
}

export function checkConfigCommand(io: CliIo, opts: CheckConfigOptions): ExitCode {
  const file = opts.file ? path.resolve(io.cwd, opts.file) : resolveConfigPath(io, opts.config);
  try {
    const config = loadConfig(file, { secretsFrom: io.env });
    const summary = {
      ok: true,
      file: config.file,
      levels: Object.keys(config.levels),
      calendars: Object.keys(config.calendars),
      rules: config.rules.length,
      licences: config.licences.length,
      staff: config.staff.members.length,
      source: config.source.kind,
      transport: config.transport.kind,
      warnings: configWarnings(config),
    };
    if (opts.json) printJson(io, summary);
    else {
      io.out(`${file}: ok`);
      io.out(`  ${summary.levels.length} levels (${summary.levels.join(', ')}), ${summary.calendars.length} calendars, ${summary.rules} rules, ${summary.licences} licences, ${summary.staff} staff`);
      io.out(`  source ${summary.source}, transport ${summary.transport}`);
      for (const w of summary.warnings) io.out(`  warning: ${w}`);
    }
    return EXIT.OK;
  } catch (err) {
    if (opts.json && err instanceof ConfigError) {
      printJson(io, { ok: false, file, code: err.code, issues: err.issues });
      return EXIT.FAILURE;
    }
    if (opts.json && err instanceof Error && 'code' in err) {
      printJson(io, { ok: false, file, code: (err as { code: string }).code, issues: [{ file, line: 0, path: '', message: err.message }] });
      return EXIT.FAILURE;
    }
    return reportError(io, err);
  }
}

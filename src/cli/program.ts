import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';

interface GlobalOptions {
  config?: string;
}

/**
 * Builds the command tree. The tree names no command module: each action imports its own the
 * moment it runs, so `--help` or `ingest` never pays for the IMAP, mail or holiday libraries of
 * commands not run (test/cli/lazy-commands.test.ts keeps it so). Each action stores its exit code
 * instead of calling process.exit, so the same program runs in tests and in the real binary.
 */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('tidings')
    .description('Email-first support desk daemon with exact business-hour SLAs')
    .option('-c, --config <file>', 'main configuration file (default: $TIDINGS_CONFIG, else config/tidings.yaml)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();

  program
    .command('check-config')
    .description('validate a configuration and everything it includes, and that the secrets it names are set; every problem is listed with file:line and path')
    .argument('[file]', 'configuration file to check (default: --config)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      const { checkConfigCommand } = await import('./commands/check-config.js');
      setExit(checkConfigCommand(io, { file, config: globals(cmd).config, json: opts.json }));
    });

  program
    .command('migrate')
    .description('create or upgrade the database schema')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { migrateCommand } = await import('./commands/migrate.js');
      setExit(migrateCommand(io, { config: globals(cmd).config, json: opts.json }));
    });

  program
    .command('doctor')
    .description('check configuration, secrets, database, data directories, the IMAP login and folders and SMTP EHLO/auth; exits non-zero on any failure')
    .option('--json', 'print the result as JSON')
    .option('--offline', 'skip the IMAP login and the SMTP EHLO/auth')
    .action(async (opts: { json?: boolean; offline?: boolean }, cmd: Command) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      setExit(await doctorCommand(io, { config: globals(cmd).config, json: opts.json, offline: opts.offline }));
    });

  program
    .command('calendar')
    .description('print the working intervals, holidays and transferred days of a calendar')
    .argument('<calendar>', 'calendar key from calendars.yaml')
    .option('--from <date>', 'first local date, YYYY-MM-DD (default: today in the calendar zone)')
    .option('--days <n>', 'number of days', '14')
    .option('--json', 'print the result as JSON')
    .action(async (key: string, opts: { from?: string; days?: string; json?: boolean }, cmd: Command) => {
      const { calendarCommand } = await import('./commands/calendar.js');
      setExit(calendarCommand(io, key, { config: globals(cmd).config, ...opts }));
    });

  program
    .command('run')
    .description('run the daemon: read the configured source, store tickets, send mail; stops cleanly on SIGTERM')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runCommand } = await import('./commands/run.js');
      setExit(await runCommand(io, { config: globals(cmd).config }));
    });

  program
    .command('ingest')
    .description('store one message read from stdin (for an MTA pipe); exit 0 stored, 75 temporary failure')
    .action(async (_opts: unknown, cmd: Command) => {
      const { ingestCommand } = await import('./commands/ingest.js');
      setExit(await ingestCommand(io, { config: globals(cmd).config, read: io.readStdin }));
    });

  program
    .command('reprocess')
    .description('feed quarantined messages back through the pipeline; without arguments, list the quarantine')
    .argument('[id]', 'quarantine entry to reprocess')
    .option('--all', 'reprocess every held entry')
    .option('--list', 'list held entries')
    .option('--json', 'print the result as JSON')
    .action(async (id: string | undefined, opts: { all?: boolean; list?: boolean; json?: boolean }, cmd: Command) => {
      const { reprocessCommand } = await import('./commands/reprocess.js');
      setExit(await reprocessCommand(io, id, { config: globals(cmd).config, ...opts }));
    });

  const sla = program.command('sla').description('service-level tools');
  sla
    .command('explain')
    .description('show which licence, rule and level a message would get, its deadline and the working time counted')
    .requiredOption('--from <address>', 'sender address')
    .option('--at <iso>', 'arrival instant; without an offset it is read in the selection zone (default: now)')
    .option('--subject <text>', 'subject (urgent marker, VIP coupon, licence number)')
    .option('--body-file <file>', 'file with the message body (VIP coupon, licence number)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { from: string; at?: string; subject?: string; bodyFile?: string; json?: boolean }, cmd: Command) => {
      const { slaExplainCommand } = await import('./commands/sla-explain.js');
      setExit(slaExplainCommand(io, { config: globals(cmd).config, ...opts }));
    });

  program
    .command('show')
    .description('print a ticket: its state, participants, messages and audit trail')
    .argument('<tid>', 'ticket number, e.g. 42 or TID#42')
    .option('--full', 'print full message texts, not only the visible part')
    .option('--json', 'print the result as JSON')
    .action(async (tid: string, opts: { full?: boolean; json?: boolean }, cmd: Command) => {
      const { showCommand } = await import('./commands/show.js');
      setExit(showCommand(io, tid, { config: globals(cmd).config, ...opts }));
    });

  program
    .command('queue')
    .description('list open tickets by deadline with the time left in their clock')
    .option('--limit <n>', 'at most this many tickets', '100')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { limit?: string; json?: boolean }, cmd: Command) => {
      const { queueCommand } = await import('./commands/queue.js');
      setExit(queueCommand(io, { config: globals(cmd).config, ...opts, now: io.now() }));
    });

  program
    .command('report')
    .description('SLA report per level: every clock cycle (in SLA, late, overdue, open within deadline, stopped), share in SLA, first response median and p90, ratings')
    .requiredOption('--from <date>', 'first day, e.g. 2026-11-01 (in the default calendar zone)')
    .requiredOption('--to <date>', 'last day, included')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { from: string; to: string; json?: boolean }, cmd: Command) => {
      const { reportCommand } = await import('./commands/report.js');
      setExit(reportCommand(io, { config: globals(cmd).config, ...opts, now: io.now() }));
    });

  return program;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through exitOverride too, with exit code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    // loaded only on failure: it names the config loader, which the help text does not need
    const { reportError } = await import('./report-error.js');
    return reportError(io, err);
  }
  return code;
}

import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { formatIssue } from '../config/config-issue.js';
import { ConfigError, loadConfig } from '../config/load-config.js';

/** Sections read once at start; a change to them is logged but needs a restart. */
const RESTART_SECTIONS = ['mailbox', 'source', 'transport', 'store', 'security', 'http', 'log'] as const;

export interface ConfigChanges {
  licencesAdded: string[];
  licencesRemoved: string[];
  licencesChanged: string[];
  staffAdded: string[];
  staffRemoved: string[];
  /** Other top-level sections whose content changed (levels, rules, calendars, ...). */
  sectionsChanged: string[];
  /** Changed sections that only take effect after a restart. */
  restartNeeded: string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What differs between two valid configs, in the terms an admin edits. */
export function diffConfig(before: Config, after: Config): ConfigChanges {
  const lic = (c: Config): Map<string, unknown> => new Map(c.licences.map((l) => [l.key, l]));
  const a = lic(before);
  const b = lic(after);
  const staff = (c: Config): Set<string> => new Set(c.staff.members.map((m) => m.key));
  const sa = staff(before);
  const sb = staff(after);
  const changes: ConfigChanges = {
    licencesAdded: [...b.keys()].filter((k) => !a.has(k)),
    licencesRemoved: [...a.keys()].filter((k) => !b.has(k)),
    licencesChanged: [...b.keys()].filter((k) => a.has(k) && !same(a.get(k), b.get(k))),
    staffAdded: [...sb].filter((k) => !sa.has(k)),
    staffRemoved: [...sa].filter((k) => !sb.has(k)),
    sectionsChanged: [],
    restartNeeded: [],
  };
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys) {
    if (k === 'licences' || k === 'file' || k === 'dir' || k === 'calendarSpecs' || k === 'levelTerms') continue;
    const x = (before as Record<string, unknown>)[k];
    const y = (after as Record<string, unknown>)[k];
    if (same(x, y)) continue;
    if ((RESTART_SECTIONS as readonly string[]).includes(k)) changes.restartNeeded.push(k);
    else changes.sectionsChanged.push(k);
  }
  return changes;
}

/** The files a config was read from: the main file and its includes. */
export function configFiles(config: Config): string[] {
  return [config.file, ...config.include.map((inc) => path.resolve(config.dir, inc))];
}

export interface ConfigReloaderDeps {
  initial: Config;
  logger: Logger;
  /** Puts a valid new config in force (Daemon.setConfig). */
  apply: (config: Config) => void;
  /** Watch the config files and reload on change (default true). */
  watch?: boolean;
  /** Quiet time after the last file event before reloading (editors write in several steps); default 300 ms. */
  debounceMs?: number;
}

export interface ConfigReloader {
  /** Re-reads and validates the files; true when a new config was applied. */
  reload(trigger: string): boolean;
  current(): Config;
  close(): void;
}

/**
 * Reload on SIGHUP (the caller calls reload) and on file change: the files are validated first;
 * an invalid set keeps the config in force and logs every issue with its file:line; a valid one
 * is applied to the next message and the changes are logged.
 */
export function createConfigReloader(deps: ConfigReloaderDeps): ConfigReloader {
  const log = deps.logger;
  let config = deps.initial;
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = (trigger: string): boolean => {
    let next: Config;
    try {
      next = loadConfig(config.file);
    } catch (err) {
      if (err instanceof ConfigError) {
        for (const i of err.issues) {
          log.error({ event: 'config.invalid', file: i.file, line: i.line, path: i.path, message: i.message }, formatIssue(i));
        }
        log.error({ event: 'config.reload_rejected', trigger, errors: err.issues.length }, `configuration not reloaded: ${err.issues.length} error(s); the previous configuration stays in force`);
      } else {
        log.error({ event: 'config.reload_rejected', trigger, err }, `configuration not reloaded: ${(err as Error).message}; the previous configuration stays in force`);
      }
      return false;
    }
    const changes = diffConfig(config, next);
    const nothing = Object.values(changes).every((v) => v.length === 0);
    if (nothing) {
      log.info({ event: 'config.unchanged', trigger }, 'configuration re-read: no changes');
      return false;
    }
    deps.apply(next);
    config = next;
    const summary = [
      changes.licencesAdded.length && `licences added: ${changes.licencesAdded.join(', ')}`,
      changes.licencesRemoved.length && `licences removed: ${changes.licencesRemoved.join(', ')}`,
      changes.licencesChanged.length && `licences changed: ${changes.licencesChanged.join(', ')}`,
      changes.staffAdded.length && `staff added: ${changes.staffAdded.join(', ')}`,
      changes.staffRemoved.length && `staff removed: ${changes.staffRemoved.join(', ')}`,
      changes.sectionsChanged.length && `changed: ${changes.sectionsChanged.join(', ')}`,
    ].filter(Boolean);
    log.info({ event: 'config.reloaded', trigger, ...changes }, `configuration reloaded (${summary.join('; ') || 'only settings that need a restart'})`);
    if (changes.restartNeeded.length) {
      log.warn({ event: 'config.restart_needed', sections: changes.restartNeeded }, `changes to ${changes.restartNeeded.join(', ')} take effect only after a restart`);
    }
    rewatch();
    return true;
  };

  const onFileEvent = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload('file');
    }, deps.debounceMs ?? 300);
    timer.unref?.();
  };

  /** Watches the folders (an editor's save-by-rename replaces the file a file watch would follow). */
  function rewatch(): void {
    if (deps.watch === false || closed) return;
    for (const w of watchers) w.close();
    watchers = [];
    const byDir = new Map<string, Set<string>>();
    for (const f of configFiles(config)) {
      const set = byDir.get(path.dirname(f)) ?? new Set<string>();
      set.add(path.basename(f));
      byDir.set(path.dirname(f), set);
    }
    for (const [dir, names] of byDir) {
      try {
        const w = watch(dir, { persistent: false }, (_type, name) => {
          if (name === null || names.has(name.toString())) onFileEvent();
        });
        w.on('error', (err) => log.warn({ event: 'config.watch_error', dir, err }, 'watching the configuration failed'));
        watchers.push(w);
      } catch (err) {
        log.warn({ event: 'config.watch_error', dir, err }, 'cannot watch the configuration; reload with SIGHUP');
      }
    }
  }

  rewatch();
  return {
    reload,
    current: () => config,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}

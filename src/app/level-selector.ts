import type { Config } from '../config/config.js';
import { compileSelection, type LevelSelector } from '../core/selection/select-level.js';

/**
 * The selection zone decides which local date `support_until` and coupon years are read in: the
 * default calendar's zone, since licences are sold in the desk's own terms.
 */
export function selectionZone(config: Config): string {
  const key = config.selection.default_calendar ?? Object.keys(config.calendarSpecs)[0];
  return (key ? config.calendarSpecs[key]?.zone : undefined) ?? 'UTC';
}

export function buildLevelSelector(config: Config): LevelSelector {
  return compileSelection({
    licences: config.licences,
    rules: config.rules,
    selection: config.selection,
    levels: Object.keys(config.levels),
    zone: selectionZone(config),
  });
}

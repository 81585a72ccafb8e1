import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { checkSelectionOptions } from '../../../src/core/selection/check-selection.js';
import { compileSelection } from '../../../src/core/selection/select-level.js';
import type { SelectionOptions } from '../../../src/core/selection/selection-options.js';
import { writeConfigDir } from '../../config/config-fixture.js';
import { at } from './fixtures.js';

// The loaded config must feed selection as it is: same field names, no mapping layer to drift.
describe('selection from a loaded config', () => {
  const dir = writeConfigDir();
  afterAll(() => dir.remove());
  const config = loadConfig(dir.main);
  const options: SelectionOptions = {
    licences: config.licences,
    rules: config.rules,
    selection: config.selection,
    levels: Object.keys(config.levels),
    zone: config.calendars.berlin!.zone,
  };

  it('has no selection problems', () => {
    expect(checkSelectionOptions(options)).toEqual([]);
  });

  it('selects by the shipped rules', () => {
    const sel = compileSelection(options);
    const when = at('2026-06-17T10:00:00+02:00');
    expect(sel.select({ from: 'Carol@Gamma.example', at: when })).toMatchObject({ level: 'commercial', rule: 0, licence: { key: 'BX-1003' } });
    expect(sel.select({ from: 'bob@partner.example', at: when })).toMatchObject({ level: 'non-commercial', rule: 1, reason: { code: 'no-rule', tellClient: true } });
    expect(sel.select({ from: 'nobody@else.example', at: when })).toMatchObject({ level: 'non-commercial', reason: { code: 'no-licence', tellClient: true } });
  });
});

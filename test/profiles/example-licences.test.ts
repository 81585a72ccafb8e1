import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { selectionZone } from '../../src/app/level-selector.js';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { localDay, supportStatus } from '../../src/core/selection/local-day.js';
import { at, loadProfile } from './helpers.js';

// A newcomer tries a profile years after it was written: every example licence must still be active
// then, except the few that exist to show ended support (each says so in its licences.yaml). The
// horizon is an explicit instant, never today's date.
const HORIZON = '2030-12-31T12:00:00Z';

function expiredAt(config: Config, iso: string): string[] {
  const today = localDay(at(iso), selectionZone(config)).date;
  return config.licences.filter((l) => supportStatus(l.support_until, today) === 'expired').map((l) => l.key);
}

const SHOWING_ENDED_SUPPORT: Record<string, string[]> = {
  '000-bitrix24': ['B24-C-0999', 'B24-C-0998'],
  // Non-commercial and demo licences are supported for 30 days from support_from (table 2.6), by design.
  '001-site-manager': ['SM-C-0999', 'SM-NC-0001', 'SM-DEMO-0001'],
  '002-1c-bitrix': ['1CB-C-0999'],
  '003-partner': ['WAS-24-000042'],
};

describe(`example licences are active on ${HORIZON} unless they show ended support`, () => {
  for (const [name, expired] of Object.entries(SHOWING_ENDED_SUPPORT)) {
    it(`config/examples/${name}`, () => {
      expect(expiredAt(loadProfile(name).config, HORIZON)).toEqual(expired);
    });
  }
  it('config/licences.yaml (the quick start)', () => {
    const config = loadConfig(fileURLToPath(new URL('../../config/tidings.yaml', import.meta.url)));
    expect(expiredAt(config, HORIZON)).toEqual(['BX-0999']);
  });
});

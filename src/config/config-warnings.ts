import type { Config } from './config.js';

/**
 * What a valid config should still not look like: settings that work but leave a known hole.
 * Shown by `check-config` and `doctor`; never refused, so configs written before a setting existed
 * keep loading.
 */
export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  const s = config.staff;
  if (s.require_auth && s.members.length > 0 && s.verify !== 'dkim' && s.trusted_hosts.length === 0) {
    out.push(
      'staff: require_auth is on but neither trusted_hosts nor verify: dkim is set; when your mail server writes no ' +
        'Authentication-Results (OpenDKIM adds none to unsigned mail), a sender\'s own field naming authserv_id passes as ' +
        'staff mail. Set staff.trusted_hosts or staff.verify: dkim (docs/deploy.md).',
    );
  }
  return out;
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/load-config.js';

/**
 * A small valid configuration split over the same files as the shipped one. Tests overwrite one
 * file at a time with a broken variant and check the reported file:line and path, so line numbers
 * in these texts matter: keep them stable.
 */
export const BASE_FILES: Record<string, string> = {
  'tidings.yaml': `mailbox: { address: support@desk.example, name: Support }
source: { kind: maildir, path: ./data/inbox }
transport: { kind: file, path: ./data/outbox }
store: { path: ./data/tidings.db }
tid: { prefix: "TID#" }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
  'calendars.yaml': `calendars:
  berlin:
    zone: Europe/Berlin
    week:
      mon: ["09:00-18:00"]
      tue: ["09:00-18:00"]
      wed: ["09:00-18:00"]
      thu: ["09:00-18:00"]
      fri: ["09:00-18:00"]
    holidays: [2026-12-24, 2026-12-31]
`,
  'levels.yaml': `levels:
  commercial:
    name: { en: Commercial }
    response: 24h
    clock: business
    calendar: berlin
  non-commercial:
    name: { en: Non-commercial }
    response: 48h
    clock: business
    calendar: berlin
rules:
  - { when: { licence.type: commercial, licence.status: active }, level: commercial }
  - { otherwise: true, level: non-commercial }
selection:
  fallback_level: non-commercial
`,
  'licences.yaml': `licences:
  - key: BX-1001
    type: commercial
    edition: self-hosted
    owner: ACME Ltd
    support_until: 2027-06-30
    emails: [ann@client.example]
  - key: BX-1002
    type: partner
    edition: cloud
    owner: Partner GmbH
    support_until: 2027-06-30
    emails: [bob@partner.example]
  - key: BX-1003
    type: commercial
    edition: cloud
    owner: Gamma
    support_until: 2027-06-30
    emails: [carol@gamma.example, dave@gamma.example]
`,
  'staff.yaml': `staff:
  require_auth: false
  members:
    - { key: eve, name: Eve Agent, email: eve@desk.example }
`,
};

/**
 * BASE_FILES' staff.yaml with staff notifications off, for tests about sources, the outbox and
 * crash safety that count the mail going out and mean acknowledgements only.
 */
export const STAFF_WITHOUT_NOTIFICATIONS = `${BASE_FILES['staff.yaml']}  notify: { new_ticket: false, client_message: false }
`;

export interface ConfigDir {
  dir: string;
  main: string;
  write(file: string, text: string): void;
  remove(): void;
}

export function writeConfigDir(overrides: Record<string, string | null> = {}): ConfigDir {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-config-'));
  const write = (file: string, text: string): void => writeFileSync(path.join(dir, file), text);
  for (const [file, text] of Object.entries({ ...BASE_FILES, ...overrides })) {
    if (text !== null) write(file, text);
  }
  return { dir, main: path.join(dir, 'tidings.yaml'), write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The `file:line path: message` lines a config load refuses with; [] when it loads. */
export function configIssues(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.file}:${i.line} ${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

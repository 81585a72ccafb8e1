import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { until } from '../support/until.js';

const USER = 'support@desk.example';

const msg = (i: number, extra = ''): string =>
  `From: c${i}@h${i}.example\nTo: ${USER}\nSubject: health ${i}\nMessage-ID: <hl-${i}@h.example>\n${extra}Date: Mon, 23 Nov 2026 10:00:00 +0100\n\nbody ${i}\n`;

/** The value of one sample line in the Prometheus text format, 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('/healthz and /metrics against a real Dovecot', () => {
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let cfg: ConfigDir;
  let dataDir: string;
  let daemon: Daemon;
  let base: string;

  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-http-'));
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: ${USER} }
source: { kind: imap, host: 127.0.0.1, port: ${dovecot.imapPort}, user: ${USER}, password_env: PW, poll_seconds: 5 }
transport: { kind: smtp, host: 127.0.0.1, port: ${sink.port} }
store: { path: ${path.join(dataDir, 'db.sqlite')} }
security: { hmac_key_env: HK }
http: { listen: "127.0.0.1:0" }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS,
    });
    daemon = await startDaemon({ config: loadConfig(cfg.main), logger: pino({ level: 'silent' }), env: { PW: 'support-secret', HK: 'x'.repeat(32) }, serveHttp: true });
    expect(daemon.http?.port).toBeGreaterThan(0);
    base = `http://${daemon.http!.address}`;
  });

  afterAll(async () => {
    await daemon?.stop();
    await sink?.stop();
    await dovecot?.stop();
    cfg?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts ingested mail by class, quarantine, open tickets and outbox in /metrics', async () => {
    const before = await (await fetch(`${base}/metrics`)).text();
    expect(before).toContain('# TYPE tidings_notices_sent_total counter');
    expect(before).toContain('# TYPE tidings_escalation_scan_seconds histogram');
    expect(sample(before, 'tidings_messages_ingested_total{class="human"}')).toBe(0);

    await dovecot.deliver(USER, msg(1), { from: 'c1@h1.example' });
    await dovecot.deliver(USER, msg(2), { from: 'c2@h2.example' });
    await dovecot.deliver(USER, msg(3, 'X-Spam-Flag: YES\n'), { from: 'c3@h3.example' });
    await sink.waitFor(2, 15_000);
    let text = '';
    for (let i = 0; i < 200; i++) {
      text = await (await fetch(`${base}/metrics`)).text();
      if (sample(text, 'tidings_messages_ingested_total{class="spam"}') === 1 && sample(text, 'tidings_messages_ingested_total{class="human"}') === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sample(text, 'tidings_messages_ingested_total{class="human"}')).toBe(2);
    expect(sample(text, 'tidings_messages_ingested_total{class="spam"}')).toBe(1);
    expect(sample(text, 'tidings_quarantined_total')).toBe(1);
    expect(sample(text, 'tidings_tickets_open{level="non-commercial"}')).toBe(2);
    expect(text).toMatch(/^tidings_outbox_depth \d+$/m);
    expect(sample(text, 'tidings_outbox_failures_total')).toBe(0);
    expect(text).toMatch(/^tidings_source_lag_seconds [\d.]+$/m);
    expect(text).toMatch(/^tidings_imap_reconnects_total \d+$/m);
  }, 60_000);

  it('/healthz is 200 when connected, 503 with the reason while Dovecot is down, 200 again after', async () => {
    await until('connected', () => daemon.source!.status().state === 'connected');
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { ok: boolean }).ok).toBe(true);

    const reconnectsBefore = daemon.source!.status().reconnects;
    await dovecot.shutdown();
    let down: Response | undefined;
    for (let i = 0; i < 600; i++) {
      down = await fetch(`${base}/healthz`);
      if (down.status === 503) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(down!.status).toBe(503);
    const body = (await down!.json()) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(body.ok).toBe(false);
    expect(body.checks.find((c) => c.name === 'source')).toMatchObject({ ok: false });
    expect(body.checks.find((c) => c.name === 'database')).toMatchObject({ ok: true });

    await dovecot.restart();
    let up: Response | undefined;
    for (let i = 0; i < 1200; i++) {
      up = await fetch(`${base}/healthz`);
      if (up.status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(up!.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(sample(metrics, 'tidings_imap_reconnects_total')).toBeGreaterThan(reconnectsBefore);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  }, 90_000);
});

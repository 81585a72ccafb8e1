/**
 * Ingest throughput: a backlog of N messages (default 10,000) waiting in a real Dovecot INBOX is read
 * by the daemon (IMAP source, one process, synchronous=full on a file database) and turned into
 * tickets, messages and acknowledgements; the source is acknowledged by MOVE to Processed.
 *
 * Run (IMAP as root; needs dovecot-imapd and dovecot-lmtpd, see test/support/CI-NOTES.md):
 *   npx tsc -p tsconfig.json && node dist/bench/ingest.js          (or: npm run bench:ingest)
 *
 * The backlog is written before the daemon starts, with one IMAP MULTIAPPEND (LITERAL+) per 500
 * messages on one connection, so UIDs follow generation order and the TID every reply quotes is known
 * in advance. Messages: a few hundred senders (4 licensed addresses from the base fixture licences,
 * the rest unknown), 1-3 KB text bodies, some multipart/alternative, some with a small attachment,
 * some Cyrillic, some Cc'd colleagues; a quarter are replies carrying [TID#n] of the sender's own
 * earlier ticket, 1 % quote a stranger's TID (a new, linked ticket).
 *
 * The measured daemon runs in a child process, so its peak RSS (the child's high-water mark, VmHWM,
 * worker thread included) is its own (not the generator's, the LMTP client's, nor the SMTP sink's).
 * The child loads only what the daemon needs before it starts it, so "first commit after the
 * daemon process started" (from fork() to the first committed message seen, within 25 ms) is the
 * daemon's start-up as a service manager sees it. Measured from just before startDaemon():
 *   stored     every message committed (polled on a second, read-only connection every 25 ms)
 *   acks sent  no pending outbox row left (acknowledgements and any other mail the pipeline queued)
 *   moved      Processed holds N messages and INBOX none (polled over IMAP once all are stored)
 * Then it checks that nothing was lost or doubled and every reply joined the ticket it quotes.
 *
 * TIDINGS_BENCH_SOURCE=maildir measures the embedded default's source instead: the same backlog as
 * files in a Maildir's new/ (names in generation order, file times = the message dates), handed
 * over in batches and renamed into cur/ after each commit; no Dovecot is started.
 *
 * TIDINGS_BENCH_SOURCE=lmtp measures the LMTP source: this process is the MTA and delivers the
 * backlog, in generation order, over 4 LMTP connections (nodemailer's pooled SMTP transport in LMTP
 * mode) from the moment the daemon listens; a message counts as acknowledged at its 250, which
 * comes after its commit. Over several connections the daemon numbers new tickets in its own commit
 * order, so a reply waits for the 250 of the message that opened its ticket and quotes the TID the
 * daemon gave it, and the check compares tickets by the Message-ID that opened them.
 *
 * Environment:
 *   TIDINGS_BENCH_SOURCE=imap       imap (Dovecot) | maildir | lmtp
 *   TIDINGS_BENCH_N=10000           messages in the backlog
 *   TIDINGS_BENCH_TRANSPORT=file    file (fsynced spool, the embedded default) | smtp (smtp-server sink)
 *   TIDINGS_BENCH_ACK_LIMIT=1000000 limits.acks_per_sender_per_hour, the flood ceiling (50 is the config
 *                                   default; the bench default acknowledges every new ticket, the heavier case)
 *   TIDINGS_BENCH_BATCH             source.batch_size (config default 250)
 *   TIDINGS_BENCH_CACHE_MB          store.cache_mb (config default 32)
 *   TIDINGS_BENCH_SYNC=full         store.synchronous (for comparison only; full is the target)
 *   TIDINGS_BENCH_LOG_LEVEL=info    the daemon's pino level; lines go (synchronously, as to stdout) to
 *                                   a file in the temp dir
 *   TIDINGS_BENCH_CPU_PROF=<dir>    run the daemon child with --cpu-prof into <dir>
 *   TIDINGS_BENCH_SEED=1            generator seed
 *   TIDINGS_BENCH_KEEP=1            keep the temp dirs (Dovecot, config, database, spool) and print them
 *   TIDINGS_BENCH_TIMELINE=1        print messages stored / outbox mail sent once a second
 *
 * The "other processes" figure in the cpu line is the machine's busy CPU time during the run minus the
 * daemon's and Dovecot's: on a shared machine, a run where it is large is not a clean measurement.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { startDaemon } from '../src/app/daemon.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/log/logger.js';
import { freePort } from '../test/support/net.js';
import { BASE_FILES } from '../test/config/config-fixture.js';
import type { DovecotServer } from '../test/support/dovecot.js';
import type { SmtpSink } from '../test/support/smtp-sink.js';
import { inOrder, lmtpPool, waitForListener } from './lmtp-client.js';
import { envInt } from './env-int.js';

const USER = 'support@desk.example';
/** The LMTP client's connections (TIDINGS_BENCH_SOURCE=lmtp), like an MTA's per-destination concurrency. */
const LMTP_CONNECTIONS = 4;
const PASSWORD = 'support-secret';
const HMAC = 'bench-hmac-key-'.padEnd(40, 'x');

// ---------------------------------------------------------------------------------------------
// settings


interface Settings {
  source: 'imap' | 'maildir' | 'lmtp';
  n: number;
  transport: 'file' | 'smtp';
  ackLimit: number;
  batch: number | undefined;
  cacheMb: number | undefined;
  sync: 'off' | 'normal' | 'full' | 'extra';
  logLevel: string;
  cpuProf: string | undefined;
  seed: number;
  keep: boolean;
}

function settings(): Settings {
  const source = process.env.TIDINGS_BENCH_SOURCE ?? 'imap';
  if (source !== 'imap' && source !== 'maildir' && source !== 'lmtp') throw new Error('TIDINGS_BENCH_SOURCE must be imap, maildir or lmtp');
  const transport = process.env.TIDINGS_BENCH_TRANSPORT ?? 'file';
  if (transport !== 'file' && transport !== 'smtp') throw new Error('TIDINGS_BENCH_TRANSPORT must be file or smtp');
  const sync = process.env.TIDINGS_BENCH_SYNC ?? 'full';
  if (!['off', 'normal', 'full', 'extra'].includes(sync)) throw new Error('TIDINGS_BENCH_SYNC must be off, normal, full or extra');
  const batch = process.env.TIDINGS_BENCH_BATCH;
  return {
    source,
    n: envInt('TIDINGS_BENCH_N', 10_000),
    transport,
    ackLimit: envInt('TIDINGS_BENCH_ACK_LIMIT', 1_000_000),
    batch: batch ? envInt('TIDINGS_BENCH_BATCH', 250) : undefined,
    cacheMb: process.env.TIDINGS_BENCH_CACHE_MB ? envInt('TIDINGS_BENCH_CACHE_MB', 32) : undefined,
    sync: sync as Settings['sync'],
    logLevel: process.env.TIDINGS_BENCH_LOG_LEVEL ?? 'info',
    cpuProf: process.env.TIDINGS_BENCH_CPU_PROF || undefined,
    seed: envInt('TIDINGS_BENCH_SEED', 1),
    keep: process.env.TIDINGS_BENCH_KEEP === '1',
  };
}

// ---------------------------------------------------------------------------------------------
// the backlog

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['anna', 'boris', 'chen', 'dmitri', 'elena', 'fatima', 'george', 'hanna', 'ivan', 'julia', 'karl', 'lena', 'marco', 'nina', 'oleg', 'paula', 'quentin', 'rosa', 'sergei', 'tanja'];
const LAST = ['schmidt', 'ivanova', 'wong', 'petrov', 'garcia', 'novak', 'meyer', 'kowalski', 'rossi', 'smirnov', 'dubois', 'larsen', 'haas', 'orlov', 'berg'];
const COMPANIES = [
  'acme-logistics', 'baltic-foods', 'cobalt-systems', 'delta-print', 'evergreen-clinic', 'fjord-shipping', 'granite-bank', 'helios-energy',
  'iris-media', 'juniper-labs', 'kestrel-air', 'lumen-retail', 'meridian-law', 'nordic-steel', 'orion-games', 'pioneer-tools',
  'quartz-insurance', 'redwood-hotels', 'sable-textiles', 'tundra-mining', 'umbra-security', 'vega-telecom', 'willow-schools', 'xenon-chem',
  'yarrow-farms', 'zephyr-travel', 'amber-dental', 'birch-capital', 'cedar-homes', 'dune-motors', 'ember-cafe', 'falcon-couriers',
  'gale-wind', 'harbor-city', 'indigo-design', 'jade-pharma', 'krona-finance', 'lotus-spa', 'maple-univ', 'nimbus-cloud',
];
const TOPICS = [
  'Backup job fails after upgrade', 'Cannot log in to the admin panel', 'Licence key not accepted', 'Sync stops at 99 %',
  'Export to CSV produces empty file', 'Slow search on large projects', 'Error 500 when saving a form', 'Mail notifications not delivered',
  'Question about the renewal invoice', 'Agent crashes on Windows Server 2022', 'SSO with Azure AD', 'Migration from version 4 to 5',
  'Disk usage keeps growing', 'Report scheduler skips Mondays', 'API returns 429 too often', 'Timezone wrong in PDF reports',
];
const TOPICS_RU = ['Не работает резервное копирование', 'Ошибка при входе в систему', 'Вопрос по продлению лицензии', 'Медленный поиск по проекту'];
const WORDS = (
  'the server after update restart service log error warning configuration file database connection timeout user account ' +
  'permission folder backup schedule report export import version cluster node memory disk network proxy certificate ' +
  'we tried again yesterday and today but it still does not work as expected please advise what we should check next ' +
  'attached you find the output from the console it started on monday morning when the nightly job ran for the first time'
).split(' ');
const WORDS_RU = 'сервер после обновления перестал отвечать мы перезапустили службу но ошибка осталась пожалуйста помогите разобраться журнал прилагаем'.split(' ');
const RE_PREFIX = ['Re: ', 'RE: ', 'AW: ', 'Re: Re: ', 'SV: ', 'Fwd: '];
const LICENSED = ['ann@client.example', 'bob@partner.example', 'carol@gamma.example', 'dave@gamma.example'];
const UNKNOWN_SENDERS = 400;

interface Sender {
  address: string;
  name: string;
  domain: string;
  /** the same licence's other addresses, which may write to this sender's tickets */
  licenceMates: string[];
}

interface GenTicket {
  tid: number;
  /** index of the message that opened it */
  index: number;
  subject: string;
  requester: string;
  participants: Set<string>;
  messageId: string;
}

export interface Backlog {
  messages: Buffer[];
  /** INTERNALDATE per message */
  dates: Date[];
  /** Message-ID → the TID its message must end on */
  expectedTid: Map<string, number>;
  /** Message-ID → Message-ID of the message that opened the ticket it must end on (itself for a new ticket) */
  rootOf: Map<string, string>;
  /** The message that opened each generated TID (index TID - 1): its place in `messages` and its Message-ID */
  openers: Array<{ index: number; messageId: string }>;
  /** Message index → the generated TID its subject quotes and the subject before encoding */
  quotes: Map<number, { tid: number; subject: string }>;
  tickets: number;
  replies: number;
  strangers: number;
  withAttachment: number;
  bytes: number;
  senders: number;
  /** acks expected with the given per-sender hourly limit (the bench runs well inside one hour) */
  acksFor(limit: number): number;
}

export function b64Lines(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function encodedWord(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

function imapDate(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (x: number): string => String(x).padStart(2, '0');
  return `${p(d.getUTCDate())}-${mon}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function generateBacklog(n: number, seed: number, startAt: number): Backlog {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const senders: Sender[] = [];
  for (const a of LICENSED) {
    const domain = a.split('@')[1]!;
    senders.push({ address: a, name: a.split('@')[0]!.replace(/^./, (c) => c.toUpperCase()), domain, licenceMates: LICENSED.filter((x) => x !== a && x.endsWith(`@${domain}`)) });
  }
  const seen = new Set(LICENSED);
  while (senders.length < LICENSED.length + UNKNOWN_SENDERS) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const domain = `${pick(COMPANIES)}.example`;
    const address = `${first}.${last}@${domain}`;
    if (seen.has(address)) continue;
    seen.add(address);
    senders.push({ address, name: `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`, domain, licenceMates: [] });
  }
  // Skewed: a few senders write a lot, most a little; the licensed ones ~6 % of the mail.
  const chooseSender = (): Sender => {
    if (rnd() < 0.06) return senders[Math.floor(rnd() * LICENSED.length)]!;
    return senders[LICENSED.length + Math.floor(UNKNOWN_SENDERS * rnd() ** 1.6)]!;
  };
  const sentences = (words: readonly string[], minBytes: number, maxBytes: number): string => {
    const target = minBytes + Math.floor(rnd() * (maxBytes - minBytes));
    const paras: string[] = [];
    let size = 0;
    while (size < target) {
      const lines: string[] = [];
      let line = '';
      const sentenceCount = 2 + Math.floor(rnd() * 4);
      for (let s = 0; s < sentenceCount; s++) {
        const len = 6 + Math.floor(rnd() * 12);
        const ws: string[] = [];
        for (let w = 0; w < len; w++) ws.push(pick(words));
        const sentence = `${ws.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
        for (const word of sentence.split(' ')) {
          if (line.length + word.length + 1 > 72) {
            lines.push(line);
            line = word;
          } else line = line ? `${line} ${word}` : word;
        }
      }
      if (line) lines.push(line);
      const para = lines.join('\r\n');
      paras.push(para);
      size += Buffer.byteLength(para) + 4;
    }
    return paras.join('\r\n\r\n');
  };

  const tickets: GenTicket[] = [];
  const ticketsBySender = new Map<string, GenTicket[]>();
  const ticketsPerSender = new Map<string, number>();
  const messages: Buffer[] = [];
  const dates: Date[] = [];
  const expectedTid = new Map<string, number>();
  const rootOf = new Map<string, string>();
  const quotes = new Map<number, { tid: number; subject: string }>();
  let replies = 0;
  let strangers = 0;
  let withAttachment = 0;
  let bytes = 0;
  // The backlog piled up over the last few hours (one every ~1.5 s on average).
  let t = startAt - n * 1500;

  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 3000);
    const date = new Date(t);
    const s = chooseSender();
    const own = ticketsBySender.get(s.address) ?? [];
    const r = rnd();
    let kind: 'new' | 'reply' | 'stranger' = 'new';
    let target: GenTicket | undefined;
    if (r < 0.25 && own.length > 0) {
      kind = 'reply';
      target = own[Math.floor(rnd() * Math.min(own.length, 5)) + Math.max(0, own.length - 5)] ?? own[own.length - 1]!;
    } else if (r > 0.99 && tickets.length > 10) {
      const other = tickets[Math.floor(rnd() * tickets.length)]!;
      if (!other.participants.has(s.address) && !s.licenceMates.includes(other.requester)) {
        kind = 'stranger';
        target = other;
      }
    }
    const ru = kind === 'new' ? rnd() < 0.04 : false;
    const messageId = `${(seed * 1_000_003 + i).toString(36)}.${Math.floor(rnd() * 1e9).toString(36)}@${s.domain.replace(/^/, 'mail.')}`;
    const baseSubject = ru ? pick(TOPICS_RU) : `${pick(TOPICS)} (${s.domain.split('.')[0]})`;
    const subject = target ? `${pick(RE_PREFIX)}[TID#${target.tid}] ${target.subject}` : baseSubject;
    let text = sentences(ru ? WORDS_RU : WORDS, 900, 2800);
    text = `${ru ? 'Здравствуйте' : 'Hello'},\r\n\r\n${text}\r\n\r\n-- \r\n${s.name}\r\n${s.domain}\r\n`;
    if (target) {
      const quoted = sentences(WORDS, 300, 900).split('\r\n').map((l) => `> ${l}`.trimEnd()).join('\r\n');
      text = `${text}\r\nOn ${new Date(t - 3_600_000).toUTCString()}, Support <${USER}> wrote:\r\n${quoted}\r\n`;
    }
    const cc = kind === 'new' && rnd() < 0.05 ? `${pick(FIRST)}.${pick(LAST)}@${s.domain}` : undefined;
    const headers = [
      `Return-Path: <${s.address}>`,
      `Delivered-To: ${USER}`,
      `Received: from mx.desk.example (localhost [127.0.0.1])\r\n\tby imap.desk.example (Dovecot) with LMTP id ${i.toString(16)}\r\n\tfor <${USER}>; ${date.toUTCString().replace('GMT', '+0000')}`,
      `Received: from mail.${s.domain} (mail.${s.domain} [198.51.100.${i % 250}])\r\n\tby mx.desk.example (Postfix) with ESMTPS id ${(i * 7919).toString(36).toUpperCase()}\r\n\tfor <${USER}>; ${date.toUTCString().replace('GMT', '+0000')}`,
      `From: ${encodedWord(s.name)} <${s.address}>`,
      `To: Support <${USER}>`,
      ...(cc ? [`Cc: ${cc}`] : []),
      `Subject: ${encodedWord(subject)}`,
      `Date: ${new Date(t - 5000).toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${messageId}>`,
      ...(target ? [`In-Reply-To: <${target.messageId}>`, `References: <${target.messageId}>`] : []),
      'MIME-Version: 1.0',
      `User-Agent: ${pick(['Mozilla Thunderbird 115.3', 'Microsoft Outlook 16.0', 'Apple Mail (2.3731)', 'Roundcube Webmail/1.6'])}`,
    ];
    const textPart = (): string[] => ['Content-Type: text/plain; charset=utf-8; format=flowed', 'Content-Transfer-Encoding: 8bit', '', text];
    const html = (): string =>
      `<html><body>${text
        .split('\r\n\r\n')
        .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\r\n/g, '<br>\r\n')}</p>`)
        .join('\r\n')}</body></html>`;
    let body: string[];
    const alt = rnd() < 0.3;
    const attach = rnd() < 0.1;
    if (attach) {
      withAttachment += 1;
      const boundary = `----=_Part_${i}_${Math.floor(rnd() * 1e9)}`;
      const png = rnd() < 0.5;
      const size = 1500 + Math.floor(rnd() * 6000);
      const content = Buffer.alloc(size);
      if (png) for (let k = 0; k < size; k++) content[k] = Math.floor(rnd() * 256);
      else content.write(Array.from({ length: size / 40 + 1 }, (_, k) => `2026-11-23 10:${String(k % 60).padStart(2, '0')}:00 ERROR job failed code=${k}\n`).join('').slice(0, size), 'latin1');
      body = [
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        'This is a multi-part message in MIME format.',
        `--${boundary}`,
        ...textPart(),
        `--${boundary}`,
        `Content-Type: ${png ? 'image/png' : 'text/plain'}; name="${png ? 'screenshot.png' : 'error.log'}"`,
        'Content-Transfer-Encoding: base64',
        `Content-Disposition: attachment; filename="${png ? 'screenshot.png' : 'error.log'}"`,
        '',
        b64Lines(content),
        `--${boundary}--`,
        '',
      ];
    } else if (alt) {
      const boundary = `alt-${i}-${Math.floor(rnd() * 1e9)}`;
      body = [
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        ...textPart(),
        `--${boundary}`,
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        html(),
        `--${boundary}--`,
        '',
      ];
    } else {
      body = textPart();
    }
    const raw = Buffer.from([...headers, ...body].join('\r\n'), 'utf8');
    messages.push(raw);
    dates.push(date);
    bytes += raw.length;

    if (target) quotes.set(i, { tid: target.tid, subject });
    if (kind === 'reply') {
      replies += 1;
      expectedTid.set(messageId, target!.tid);
      rootOf.set(messageId, target!.messageId);
    } else {
      rootOf.set(messageId, messageId);
      if (kind === 'stranger') strangers += 1;
      const tk: GenTicket = { tid: tickets.length + 1, index: i, subject: baseSubject, requester: s.address, participants: new Set([s.address, ...(cc ? [cc] : [])]), messageId };
      if (kind === 'stranger') tk.subject = subject; // the stranger's ticket keeps the quoted subject
      tickets.push(tk);
      own.push(tk);
      ticketsBySender.set(s.address, own);
      ticketsPerSender.set(s.address, (ticketsPerSender.get(s.address) ?? 0) + 1);
      expectedTid.set(messageId, tk.tid);
    }
  }
  return {
    messages,
    dates,
    expectedTid,
    rootOf,
    openers: tickets.map((x) => ({ index: x.index, messageId: x.messageId })),
    quotes,
    tickets: tickets.length,
    replies,
    strangers,
    withAttachment,
    bytes,
    senders: new Set(tickets.map((x) => x.requester)).size,
    acksFor: (limit) => [...ticketsPerSender.values()].reduce((sum, k) => sum + Math.min(k, limit), 0),
  };
}

/**
 * The message as an MTA hands it over LMTP: without the Return-Path line, which the final delivery
 * writes from the envelope, and quoting `tid` where the generator assumed `quote.tid` (over several
 * connections the daemon numbers new tickets in the order their commits happen to take).
 */
export function forLmtp(raw: Buffer, quote?: { tid: number; subject: string }, tid?: number): Buffer {
  const eol = raw.indexOf('\r\n');
  let out = raw.subarray(0, 13).toString('latin1') === 'Return-Path: ' ? raw.subarray(eol + 2) : raw;
  if (quote && tid !== undefined && tid !== quote.tid) {
    const was = Buffer.from(`\r\nSubject: ${encodedWord(quote.subject)}\r\n`, 'utf8');
    const now = Buffer.from(`\r\nSubject: ${encodedWord(quote.subject.replace(`[TID#${quote.tid}]`, `[TID#${tid}]`))}\r\n`, 'utf8');
    const at = out.indexOf(was);
    if (at < 0) throw new Error(`no Subject quoting [TID#${quote.tid}] in the message`);
    out = Buffer.concat([out.subarray(0, at), now, out.subarray(at + was.length)]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// delivering the backlog over LMTP (TIDINGS_BENCH_SOURCE=lmtp)

/**
 * Hands the backlog to the daemon in generation order over `connections` LMTP connections, as soon
 * as it listens. A message quoting a ticket waits for the 250 of the message that opened it and
 * quotes the TID the daemon gave that ticket (read from the database), so every reply still joins
 * the ticket it answers. Resolves with the number of 250s.
 */
async function deliverOverLmtp(backlog: Backlog, port: number, dbPath: string, connections: number): Promise<number> {
  await waitForListener('127.0.0.1', port);
  const pool = lmtpPool('127.0.0.1', port, connections);
  const started: Array<Promise<void>> = [];
  const daemonTid = new Map<number, number>();
  let db: Database.Database | undefined;
  let answered = 0;
  try {
    await inOrder(backlog.messages.length, connections, async (i) => {
      let tid: number | undefined;
      const quote = backlog.quotes.get(i);
      const raw = backlog.messages[i]!;
      const delivery = (async () => {
        if (quote) {
          const opener = backlog.openers[quote.tid - 1]!;
          await started[opener.index];
          tid = daemonTid.get(quote.tid);
          if (tid === undefined) {
            db ??= new Database(dbPath, { readonly: true, fileMustExist: true });
            const row = db.prepare("SELECT ticket_id AS t FROM messages WHERE message_id = ? AND direction = 'in'").get(opener.messageId) as { t: number } | undefined;
            if (!row) throw new Error(`message ${opener.index} was answered 250 but is not in the database`);
            tid = row.t;
            daemonTid.set(quote.tid, tid);
          }
        }
        // the envelope sender is the Return-Path the generator wrote
        const from = /^Return-Path: <([^>]*)>/.exec(raw.subarray(0, 300).toString('latin1'))?.[1] ?? '';
        await pool.deliver(forLmtp(raw, quote, tid), from, USER);
        answered += 1;
      })();
      started[i] = delivery;
      await delivery;
    });
  } finally {
    pool.close();
    db?.close();
  }
  return answered;
}

// ---------------------------------------------------------------------------------------------
// loading the backlog: IMAP MULTIAPPEND (RFC 3502) with non-synchronizing literals (LITERAL+)

export async function multiAppend(host: string, port: number, user: string, pass: string, folder: string, messages: Buffer[], dates: Date[], chunk = 500): Promise<void> {
  const sock = net.connect({ host, port });
  sock.setNoDelay(true);
  let buf = '';
  let waiter: { tag: string | undefined; resolve: (line: string) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  const check = (): void => {
    let nl: number;
    while (waiter && (nl = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      if (waiter.tag === undefined ? line.startsWith('* OK') : line.startsWith(`${waiter.tag} `)) {
        const w = waiter;
        waiter = undefined;
        if (w.tag === undefined || line.startsWith(`${w.tag} OK`)) w.resolve(line);
        else w.reject(new Error(`IMAP ${w.tag} failed: ${line}`));
      }
    }
  };
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => {
    buf += d;
    check();
  });
  const fail = (e: Error): void => {
    failure ??= e;
    waiter?.reject(e);
    waiter = undefined;
  };
  sock.on('error', fail);
  sock.on('close', () => fail(new Error('IMAP connection closed')));
  const wait = (tag: string | undefined): Promise<string> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      waiter = { tag, resolve, reject };
      check();
    });
  const write = (data: string | Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      if (sock.write(data)) return resolve();
      const done = (): void => {
        sock.off('drain', done);
        sock.off('close', done);
        if (failure) reject(failure);
        else resolve();
      };
      sock.on('drain', done);
      sock.on('close', done);
    });
  try {
    await wait(undefined);
    const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;
    const login = wait('L1');
    await write(`L1 LOGIN ${quote(user)} ${quote(pass)}\r\n`);
    const ok = await login;
    if (!/MULTIAPPEND/.test(ok) || !/LITERAL\+/.test(ok)) throw new Error(`server lacks MULTIAPPEND or LITERAL+: ${ok}`);
    for (let from = 0, k = 1; from < messages.length; from += chunk, k++) {
      const tag = `A${k}`;
      const done = wait(tag);
      await write(`${tag} APPEND ${quote(folder)}`);
      for (let i = from; i < Math.min(messages.length, from + chunk); i++) {
        await write(` "${imapDate(dates[i]!)}" {${messages[i]!.length}+}\r\n`);
        await write(messages[i]!);
      }
      await write('\r\n');
      await done;
    }
    const out = wait('Z1');
    await write('Z1 LOGOUT\r\n');
    await out;
  } finally {
    sock.removeAllListeners('close');
    sock.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// the measured daemon (child process)

interface Job {
  configPath: string;
  dbPath: string;
  n: number;
  expectedTickets: number;
  expectedAcks: number;
  expectedTidFile: string;
  transport: 'file' | 'smtp';
  outboxDir: string;
  logPath: string;
  logLevel: string;
  /** The IMAP source's server, or the Maildir root (TIDINGS_BENCH_SOURCE=maildir). */
  imap?: { host: string; port: number; user: string; pass: string };
  maildir?: string;
  /**
   * LMTP: the daemon numbers new tickets in commit order, which several connections make its own,
   * so messages are checked against the ticket of the message that opened theirs (Message-ID pairs).
   */
  expectedRootFile?: string;
  env: Record<string, string>;
}

interface Counts {
  messagesIn: number;
  distinctMessageIds: number;
  tickets: number;
  appended: number;
  linkedTickets: number;
  quarantined: number;
  attachments: number;
  /** acknowledgements queued / sent */
  acks: number;
  acksSent: number;
  /** every outbox row (acks plus staff notifications or whatever else the pipeline queues) */
  outbox: number;
  outboxSent: number;
  outboxFailed: number;
  ackSentAt: number;
  dbBytes: number;
  wrongTicket: number;
  spoolFiles?: number;
}

export interface ChildResult {
  /** Date.now() when the first committed message was seen, for the time from the fork */
  firstStoredAt: number;
  firstStoredMs: number;
  storedMs: number;
  acksMs: number;
  movedMs: number;
  startDaemonMs: number;
  /** time when 10 % / 90 % were stored, for the steady rate */
  p10Ms: number;
  p90Ms: number;
  peakRssMb: number;
  /** process.memoryUsage() once everything is stored and acknowledged, MB */
  heapUsedMb: number;
  externalMb: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  counts: Counts;
  problems: string[];
  /** once a second: [ms, messages stored, outbox rows sent] */
  timeline: Array<[number, number, number]>;
}

/** Whether every message is acknowledged at the source: all in Processed and none in INBOX, or all in cur/ and none in new/. */
async function sourceAcknowledged(job: Job): Promise<{ check: () => Promise<boolean>; close: () => Promise<void> }> {
  // LMTP acknowledges by its 250, sent after the commit: stored is acknowledged
  if (job.expectedRootFile !== undefined) return { check: async () => true, close: async () => undefined };
  if (job.maildir !== undefined) {
    const root = job.maildir;
    return {
      check: async () => readdirSync(path.join(root, 'new')).length === 0 && readdirSync(path.join(root, 'cur')).length >= job.n,
      close: async () => undefined,
    };
  }
  const { host, port, user, pass } = job.imap!;
  // loaded here, after the measured start, so the daemon process's start-up is its own
  const { ImapFlow } = await import('imapflow');
  const imap = new ImapFlow({ host, port, secure: false, auth: { user, pass }, logger: false, disableAutoIdle: true });
  const connected = imap.connect();
  return {
    async check() {
      await connected;
      const processed = ((await imap.status('Processed', { messages: true })) as { messages?: number }).messages ?? 0;
      const inbox = ((await imap.status('INBOX', { messages: true })) as { messages?: number }).messages ?? 0;
      return processed >= job.n && inbox === 0;
    },
    close: async () => {
      await connected.catch(() => undefined);
      await imap.logout().catch(() => imap.close());
    },
  };
}

async function childMain(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as Job;
  const config = loadConfig(job.configPath);
  const logger = createLogger({ level: job.logLevel, destination: pino.destination({ dest: job.logPath, sync: true, mkdir: true }) });
  const ms = (): number => performance.now() - t0;

  let reader: Database.Database | undefined;
  const stored = (): number => {
    try {
      reader ??= new Database(job.dbPath, { readonly: true, fileMustExist: true });
      const row = reader.prepare('SELECT (SELECT coalesce(max(id), 0) FROM messages) + (SELECT coalesce(max(id), 0) FROM quarantine) AS n').get() as { n: number };
      return row.n;
    } catch {
      // not created or not migrated yet
      reader?.close();
      reader = undefined;
      return 0;
    }
  };
  const pendingAcks = (): number => (reader!.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n;
  // rows are never deleted and none fail here: sent = all - pending, both cheap (rowid, partial index)
  const sentMail = (): number => {
    try {
      const q = "SELECT (SELECT coalesce(max(id), 0) FROM outbox) - (SELECT count(*) FROM outbox WHERE status = 'pending') AS n";
      return reader ? (reader.prepare(q).get() as { n: number }).n : 0;
    } catch {
      return 0;
    }
  };

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let firstStoredMs = -1;
  let firstStoredAt = -1;
  let storedMs = -1;
  let p10Ms = -1;
  let p90Ms = -1;
  const timeline: Array<[number, number, number]> = [];
  let lastSample = 0;
  const allStored = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const n = stored();
      const at = ms();
      if (n > 0 && firstStoredMs < 0) {
        firstStoredMs = at;
        firstStoredAt = Date.now();
      }
      if (n >= job.n * 0.1 && p10Ms < 0) p10Ms = at;
      if (n >= job.n * 0.9 && p90Ms < 0) p90Ms = at;
      if (at - lastSample >= 1000) {
        lastSample = at;
        timeline.push([Math.round(at), n, sentMail()]);
      }
      if (n >= job.n) {
        storedMs = at;
        timeline.push([Math.round(at), n, sentMail()]);
        clearInterval(timer);
        resolve();
      }
    }, 25);
  });

  const daemonP = startDaemon({ config, logger, env: job.env });
  const daemon = await daemonP;
  const startDaemonMs = ms();
  await allStored;

  // The source side (MOVE or rename of the last batch) and the outbox are watched side by side: each time is its own.
  const sleep = (): Promise<void> => new Promise((r) => setTimeout(r, 25));
  const sourceDone = await sourceAcknowledged(job);
  const [acksMs, movedMs] = await Promise.all([
    (async () => {
      for (;;) {
        if (ms() - lastSample >= 1000) {
          lastSample = ms();
          timeline.push([Math.round(lastSample), job.n, sentMail()]);
        }
        if (pendingAcks() === 0) return ms();
        await sleep();
      }
    })(),
    (async () => {
      try {
        for (;;) {
          if (await sourceDone.check()) return ms();
          await sleep();
        }
      } finally {
        await sourceDone.close();
      }
    })(),
  ]);
  const cpu = process.cpuUsage(cpu0);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const mem = process.memoryUsage();
  await daemon.stop();

  // ---- checks
  const db = new Database(job.dbPath, { readonly: true, fileMustExist: true });
  const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  const counts: Counts = {
    messagesIn: count("SELECT count(*) AS n FROM messages WHERE direction = 'in'"),
    distinctMessageIds: count("SELECT count(DISTINCT message_id) AS n FROM messages WHERE direction = 'in'"),
    tickets: count('SELECT count(*) AS n FROM tickets'),
    appended: count("SELECT count(*) AS n FROM events WHERE type = 'message.appended'"),
    linkedTickets: count('SELECT count(*) AS n FROM tickets WHERE linked_ticket_id IS NOT NULL'),
    quarantined: count('SELECT count(*) AS n FROM quarantine'),
    attachments: count('SELECT count(*) AS n FROM attachments'),
    acks: count("SELECT count(*) AS n FROM outbox WHERE kind = 'ack'"),
    acksSent: count("SELECT count(*) AS n FROM outbox WHERE kind = 'ack' AND status = 'sent'"),
    outbox: count('SELECT count(*) AS n FROM outbox'),
    outboxSent: count("SELECT count(*) AS n FROM outbox WHERE status = 'sent'"),
    outboxFailed: count("SELECT count(*) AS n FROM outbox WHERE status = 'failed'"),
    ackSentAt: count('SELECT count(*) AS n FROM tickets WHERE ack_sent_at IS NOT NULL'),
    dbBytes: count('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()'),
    wrongTicket: 0,
  };
  const problems: string[] = [];
  let wrongTicket = 0;
  const rows = db.prepare("SELECT message_id AS mid, ticket_id AS tid FROM messages WHERE direction = 'in'").all() as Array<{ mid: string; tid: number | null }>;
  if (job.expectedRootFile !== undefined) {
    const rootOf = new Map(JSON.parse(readFileSync(job.expectedRootFile, 'utf8')) as Array<[string, string]>);
    const ticketOf = new Map(rows.map((r) => [r.mid, r.tid]));
    for (const row of rows) {
      const root = rootOf.get(row.mid);
      if (root === undefined || row.tid === null || ticketOf.get(root) !== row.tid) wrongTicket += 1;
    }
  } else {
    const expectedTid = new Map(JSON.parse(readFileSync(job.expectedTidFile, 'utf8')) as Array<[string, number]>);
    for (const row of rows) if (expectedTid.get(row.mid) !== row.tid) wrongTicket += 1;
  }
  db.close();
  reader?.close();
  counts.wrongTicket = wrongTicket;
  if (job.transport === 'file') counts.spoolFiles = existsSync(job.outboxDir) ? readdirSync(job.outboxDir).filter((f) => f.endsWith('.eml')).length : 0;
  if (counts.messagesIn !== job.n) problems.push(`${counts.messagesIn} messages stored, expected ${job.n}`);
  if (counts.distinctMessageIds !== job.n) problems.push(`${counts.distinctMessageIds} distinct Message-IDs stored, expected ${job.n}`);
  if (counts.tickets !== job.expectedTickets) problems.push(`${counts.tickets} tickets, expected ${job.expectedTickets}`);
  if (counts.tickets + counts.appended !== job.n) problems.push(`tickets + appended = ${counts.tickets + counts.appended}, expected ${job.n}`);
  if (wrongTicket) problems.push(`${wrongTicket} messages on another ticket than expected`);
  if (counts.quarantined) problems.push(`${counts.quarantined} quarantined`);
  if (counts.acks !== job.expectedAcks) problems.push(`${counts.acks} acknowledgements queued, expected ${job.expectedAcks}`);
  if (counts.outboxSent !== counts.outbox) problems.push(`${counts.outboxSent} of ${counts.outbox} outbox rows sent`);
  if (counts.ackSentAt !== counts.acksSent) problems.push(`${counts.ackSentAt} tickets with ack_sent_at, ${counts.acksSent} acks sent`);
  if (counts.spoolFiles !== undefined && counts.spoolFiles !== counts.outboxSent) problems.push(`${counts.spoolFiles} files in the spool for ${counts.outboxSent} sent mails`);

  const result: ChildResult = {
    firstStoredAt,
    firstStoredMs,
    storedMs,
    acksMs,
    movedMs,
    startDaemonMs,
    p10Ms,
    p90Ms,
    peakRssMb,
    heapUsedMb: mem.heapUsed / 1024 / 1024,
    externalMb: mem.external / 1024 / 1024,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    counts,
    problems,
    timeline,
  };
  process.send!(result, () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// the driver

/** CPU seconds used so far by the Dovecot instance's processes (live ones plus reaped children). */
function dovecotCpuSeconds(dir: string): number {
  const tick = 100; // USER_HZ on Linux
  let pgid: number | undefined;
  const stats: Array<{ pgrp: number; ticks: number; pid: number; children: number }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields after comm: state(0) ppid(1) pgrp(2) ... utime(11) stime(12) cutime(13) cstime(14)
      stats.push({ pid: Number(e), pgrp: Number(f[2]), ticks: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) });
      if (pgid === undefined && readFileSync(`/proc/${e}/cmdline`, 'latin1').includes(`${dir}/dovecot.conf`)) pgid = Number(e);
    } catch {
      // gone
    }
  }
  if (pgid === undefined) return Number.NaN;
  let ticks = 0;
  for (const s of stats) if (s.pgrp === pgid) ticks += s.ticks + (s.pid === pgid ? s.children : 0);
  return ticks / tick;
}

/** Busy and iowait CPU seconds of the whole machine so far (/proc/stat), to see what else ran meanwhile. */
function machineCpuSeconds(): { busy: number; iowait: number } {
  const f = (readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const [user = 0, nice = 0, system = 0, , iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { busy: (user + nice + system + irq + softirq + steal) / 100, iowait: iowait / 100 };
}

const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function main(): Promise<void> {
  const s = settings();
  // The Dovecot harness unrefs its child and timers (a forgotten stop() must not keep a test alive), so
  // without a handle of our own the process would exit in the middle of stop() and leave the dirs behind.
  const keepAlive = setInterval(() => undefined, 60_000);
  const work = mkdtempSync(path.join(tmpdir(), 'tidings-bench-'));
  let dovecot: DovecotServer | undefined;
  let sink: SmtpSink | undefined;
  try {
    const tGen = performance.now();
    const backlog = generateBacklog(s.n, s.seed, Date.now());
    const genMs = performance.now() - tGen;
    const expectedAcks = backlog.acksFor(s.ackLimit);
    console.log(
      `ingest bench: ${fmt(s.n)} messages (${fmt(backlog.bytes / 1024 / 1024, 1)} MB; ${fmt(backlog.tickets)} new tickets incl. ${backlog.strangers} strangers quoting another's TID, ` +
        `${fmt(backlog.replies)} replies with [TID#n], ${backlog.withAttachment} with an attachment; ${backlog.senders} senders), generated in ${fmt(genMs)} ms`,
    );

    const dataDir = path.join(work, 'data');
    const maildir = path.join(work, 'inbox');
    const tLoad = performance.now();
    let lmtpPort: number | undefined;
    if (s.source === 'lmtp') {
      lmtpPort = await freePort();
      console.log(`backlog: ${fmt(s.n)} messages to deliver over LMTP with ${LMTP_CONNECTIONS} connections once the daemon listens on 127.0.0.1:${lmtpPort}`);
    } else if (s.source === 'imap') {
      const { startDovecot } = await import('../test/support/dovecot.js');
      dovecot = await startDovecot({ keepDir: s.keep });
      await multiAppend(dovecot.host, dovecot.imapPort, USER, PASSWORD, 'INBOX', backlog.messages, backlog.dates);
      const loadMs = performance.now() - tLoad;
      const check = await dovecot.connect(USER);
      const inbox = ((await check.status('INBOX', { messages: true })) as { messages?: number }).messages;
      await check.logout();
      if (inbox !== s.n) throw new Error(`INBOX holds ${inbox} messages after loading, expected ${s.n}`);
      console.log(`backlog: ${fmt(s.n)} messages appended to INBOX in ${fmt(loadMs / 1000, 2)} s (MULTIAPPEND, 500 per command)`);
    } else {
      for (const d of ['new', 'cur', 'tmp']) mkdirSync(path.join(maildir, d), { recursive: true });
      backlog.messages.forEach((m, i) => {
        // Fixed-width names: name order is generation order, as the TIDs the replies quote assume.
        const file = path.join(maildir, 'new', `${1_700_000_000 + i}.M${i}P1.bench`);
        writeFileSync(file, m);
        const t = backlog.dates[i]!;
        utimesSync(file, t, t);
      });
      console.log(`backlog: ${fmt(s.n)} messages written to ${path.join(maildir, 'new')} in ${fmt((performance.now() - tLoad) / 1000, 2)} s`);
    }

    if (s.transport === 'smtp') sink = await (await import('../test/support/smtp-sink.js')).startSmtpSink();
    const outboxDir = path.join(dataDir, 'outbox');
    const dbPath = path.join(dataDir, 'tidings.db');
    const batchOption = s.batch !== undefined ? `, batch_size: ${s.batch}` : '';
    const sourceLine = lmtpPort !== undefined
      ? `source: { kind: lmtp, listen: "127.0.0.1:${lmtpPort}"${batchOption} }`
      : dovecot
      ? `source: { kind: imap, host: 127.0.0.1, port: ${dovecot.imapPort}, user: ${USER}, password_env: TIDINGS_BENCH_IMAP_PASSWORD, folder: INBOX, processed_folder: Processed, poll_seconds: 300${batchOption} }`
      : `source: { kind: maildir, path: ${maildir}, poll_seconds: 300${batchOption} }`;
    const transportLine = sink ? `transport: { kind: smtp, host: 127.0.0.1, port: ${sink.port} }` : `transport: { kind: file, path: ${outboxDir} }`;
    const files: Record<string, string> = {
      ...BASE_FILES,
      'tidings.yaml': `mailbox: { address: ${USER}, name: Support }
${sourceLine}
${transportLine}
store: { path: ${dbPath}, synchronous: ${s.sync}${s.cacheMb !== undefined ? `, cache_mb: ${s.cacheMb}` : ''} }
security: { hmac_key_env: TIDINGS_BENCH_HMAC }
limits: { acks_per_sender_per_hour: ${s.ackLimit} }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
    };
    const configDir = path.join(work, 'config');
    mkdirSync(configDir);
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(configDir, f), text);
    const expectedTidFile = path.join(work, 'expected-tid.json');
    writeFileSync(expectedTidFile, JSON.stringify([...backlog.expectedTid]));
    const expectedRootFile = path.join(work, 'expected-root.json');
    if (lmtpPort !== undefined) writeFileSync(expectedRootFile, JSON.stringify([...backlog.rootOf]));
    const job: Job = {
      configPath: path.join(configDir, 'tidings.yaml'),
      dbPath,
      n: s.n,
      expectedTickets: backlog.tickets,
      expectedAcks,
      expectedTidFile,
      transport: s.transport,
      outboxDir,
      logPath: path.join(work, 'daemon.log'),
      logLevel: s.logLevel,
      ...(lmtpPort !== undefined ? { expectedRootFile } : dovecot ? { imap: { host: dovecot.host, port: dovecot.imapPort, user: USER, pass: PASSWORD } } : { maildir }),
      env: { TIDINGS_BENCH_IMAP_PASSWORD: PASSWORD, TIDINGS_BENCH_HMAC: HMAC },
    };
    const jobFile = path.join(work, 'job.json');
    writeFileSync(jobFile, JSON.stringify(job));
    // the parent holds nothing big while the child runs (over LMTP it is the MTA and keeps the mail until the 250s)
    if (lmtpPort === undefined) backlog.messages.length = 0;

    const execArgv = s.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', s.cpuProf] : [];
    const dovecotCpu0 = dovecot ? dovecotCpuSeconds(dovecot.dir) : 0;
    const machine0 = machineCpuSeconds();
    const self0 = process.cpuUsage();
    const load0 = loadavg()[0]!;
    const forkedAt = Date.now();
    const child = fork(fileURLToPath(import.meta.url), ['--daemon', jobFile], { execArgv, stdio: 'inherit' });
    const childResult = new Promise<ChildResult>((resolve, reject) => {
      let got: ChildResult | undefined;
      child.once('message', (m) => {
        got = m as ChildResult;
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => (got ? resolve(got) : reject(new Error(`daemon child exited (code ${code}, signal ${signal}) without a result`))));
    });
    const delivered =
      lmtpPort === undefined
        ? undefined
        : deliverOverLmtp(backlog, lmtpPort, dbPath, LMTP_CONNECTIONS).catch((err: unknown) => {
            child.kill('SIGKILL');
            throw err;
          });
    const [result, answered] = await Promise.all([childResult, delivered]);
    const firstCommitMs = result.firstStoredAt - forkedAt;
    const dovecotCpu = dovecot ? dovecotCpuSeconds(dovecot.dir) - dovecotCpu0 : 0;
    const machine1 = machineCpuSeconds();
    const selfCpu = process.cpuUsage(self0);
    const otherCpu = machine1.busy - machine0.busy - dovecotCpu - (result.cpuUserMs + result.cpuSystemMs) / 1000 - (selfCpu.user + selfCpu.system) / 1e6;

    // the source side, checked from outside
    let processed: number;
    let left: number;
    if (answered !== undefined) {
      processed = answered;
      left = s.n - answered;
    } else if (dovecot) {
      const imap = await dovecot.connect(USER);
      processed = ((await imap.status('Processed', { messages: true })) as { messages?: number }).messages ?? -1;
      left = ((await imap.status('INBOX', { messages: true })) as { messages?: number }).messages ?? -1;
      await imap.logout();
    } else {
      processed = readdirSync(path.join(maildir, 'cur')).length;
      left = readdirSync(path.join(maildir, 'new')).length;
    }
    const [doneName, waitingName] = answered !== undefined ? ['answered 250', 'unanswered'] : dovecot ? ['Processed', 'INBOX'] : ['cur/', 'new/'];
    if (processed !== s.n) result.problems.push(`${doneName} holds ${processed}, expected ${s.n}`);
    if (left !== 0) result.problems.push(`${waitingName} still holds ${left}`);
    if (sink && sink.messages.length < result.counts.outboxSent) result.problems.push(`SMTP sink got ${sink.messages.length} mails for ${result.counts.outboxSent} sent`);

    const c = result.counts;
    const rate = s.n / (result.storedMs / 1000);
    const steady = (0.8 * s.n) / ((result.p90Ms - result.p10Ms) / 1000);
    console.log(
      `config: ${{ imap: 'IMAP', maildir: 'Maildir', lmtp: `LMTP (${LMTP_CONNECTIONS} connections)` }[s.source]} source batch_size ${s.batch ?? 'default (250)'}, synchronous=${s.sync}, cache_mb ${s.cacheMb ?? 'default (32)'}, ${s.transport} transport, acks_per_sender_per_hour ${s.ackLimit}, log level ${s.logLevel}; ${process.env.TIDINGS_BENCH_CPU_PROF ? 'with --cpu-prof; ' : ''}${cpus().length} cores`,
    );
    console.log(
      `ingest: ${fmt(rate)} messages/s (${fmt(s.n)} stored in ${fmt(result.storedMs / 1000, 2)} s from startDaemon; first stored after ${fmt(result.firstStoredMs)} ms; ` +
        `first commit ${fmt(firstCommitMs)} ms after the daemon process started; ` +
        `steady 10 %→90 %: ${fmt(steady)} messages/s)`,
    );
    console.log(
      `acks: ${fmt(c.acksSent)} sent${c.outbox > c.acks ? ` (+ ${fmt(c.outbox - c.acks)} other outbox mail, e.g. staff notifications)` : ''}, outbox empty at ${fmt(result.acksMs / 1000, 2)} s; source acknowledged (${doneName} = ${fmt(processed)}, ${waitingName} = ${left}) by ${fmt(result.movedMs / 1000, 2)} s`,
    );
    console.log(
      `cpu: daemon ${fmt(result.cpuUserMs / 1000, 1)} s user + ${fmt(result.cpuSystemMs / 1000, 1)} s sys (${fmt(((result.cpuUserMs + result.cpuSystemMs) / Math.max(result.movedMs, result.acksMs)) * 100)} % of one core over the run), ` +
        `dovecot ${fmt(dovecotCpu, 1)} s, this bench process${s.source === 'lmtp' ? ' (the LMTP client)' : ''} ${fmt((selfCpu.user + selfCpu.system) / 1e6, 1)} s; other processes on the machine ${fmt(Math.max(0, otherCpu), 1)} s (load average ${load0.toFixed(2)} before), iowait ${fmt(machine1.iowait - machine0.iowait, 1)} s`,
    );
    console.log(
      `store: ${fmt(c.tickets)} tickets (${c.linkedTickets} linked), ${fmt(c.appended)} appended, ${fmt(c.attachments)} attachments, ${c.quarantined} quarantined, ` +
        `database ${fmt(c.dbBytes / 1024 / 1024, 1)} MB${c.spoolFiles !== undefined ? `, ${fmt(c.spoolFiles)} files in the spool` : `, ${fmt(sink!.messages.length)} mails at the SMTP sink`}`,
    );
    console.log(`peak RSS: ${fmt(result.peakRssMb, 1)} MB (daemon process; at the end heap used ${fmt(result.heapUsedMb, 1)} MB, external ${fmt(result.externalMb, 1)} MB)`);
    if (process.env.TIDINGS_BENCH_TIMELINE === '1') console.log(`timeline (ms: stored/outbox sent): ${result.timeline.map(([t, n, a]) => `${t}:${n}/${a}`).join(' ')}`);
    if (result.problems.length > 0) {
      console.log(`CHECK FAILED:\n  - ${result.problems.join('\n  - ')}`);
      process.exitCode = 1;
    } else {
      console.log(`check: nothing lost, nothing doubled: ${fmt(c.tickets)} tickets + ${fmt(c.appended)} appended = ${fmt(s.n)}; every reply on the ticket it quotes; ${doneName} = ${fmt(s.n)}`);
    }
    if (s.keep) console.log(`kept: ${work}${dovecot ? ` and ${dovecot.dir}` : ''}`);
  } finally {
    await sink?.stop().catch(() => undefined);
    await dovecot?.stop().catch(() => undefined);
    if (!s.keep) rmSync(work, { recursive: true, force: true });
    clearInterval(keepAlive);
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (!isMain) {
  // imported (e.g. for generateBacklog): run nothing
} else if (process.argv[2] === '--daemon') {
  childMain(process.argv[3]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

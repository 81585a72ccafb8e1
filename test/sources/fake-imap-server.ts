// A deliberately small IMAP server for the cases a real Dovecot cannot show on demand: a FETCH
// that never answers (the watchdog), an IDLE that never reports new mail (the poll fallback), a
// server without MOVE (the keyword acknowledgement). One mailbox, INBOX, for one user; enough of
// IMAP4rev1 for imapflow and the source, nothing more.
import net from 'node:net';

export interface FakeMessage {
  uid: number;
  raw: Buffer;
  internalDate: Date;
  flags: Set<string>;
}

export interface FakeImapOptions {
  /** Announce MOVE (default false). */
  move?: boolean;
  /** How many FETCHes of message bodies get no answer at all (default 0). */
  hangBodyFetches?: number;
  /** UIDs expunged (as by another client) the moment their body is asked for. */
  expungeOnBodyFetch?: number[];
  uidValidity?: number;
}

export interface FakeImap {
  readonly port: number;
  readonly messages: FakeMessage[];
  /** Every command line received (tag stripped), in order, over all connections. */
  readonly commands: string[];
  /** Connections accepted so far. */
  connections(): number;
  add(raw: string | Buffer): FakeMessage;
  stop(): Promise<void>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function imapDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function inSet(uid: number, set: string, maxUid: number): boolean {
  return set.split(',').some((part) => {
    const [a, b] = part.split(':').map((x) => (x === '*' ? maxUid : Number(x)));
    if (b === undefined) return uid === a;
    return uid >= Math.min(a!, b) && uid <= Math.max(a!, b);
  });
}

export async function startFakeImap(opts: FakeImapOptions = {}): Promise<FakeImap> {
  const messages: FakeMessage[] = [];
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  let nextUid = 1;
  let accepted = 0;
  let hangs = opts.hangBodyFetches ?? 0;
  const uidValidity = opts.uidValidity ?? 42;
  const caps = `IMAP4rev1 IDLE UIDPLUS${opts.move ? ' MOVE' : ''}`;

  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let idleTag: string | undefined;
    const send = (s: string | Buffer): void => {
      if (!socket.destroyed) socket.write(s);
    };
    send(`* OK [CAPABILITY ${caps}] fake ready\r\n`);
    const maxUid = (): number => messages.reduce((m, x) => Math.max(m, x.uid), 0);

    const handle = (line: string): void => {
      if (idleTag !== undefined) {
        if (line.toUpperCase() === 'DONE') {
          send(`${idleTag} OK IDLE terminated\r\n`);
          idleTag = undefined;
        }
        return;
      }
      const m = /^(\S+) (.*)$/.exec(line);
      if (!m) return;
      const tag = m[1]!;
      const rest = m[2]!;
      commands.push(rest);
      const upper = rest.toUpperCase();
      const ok = (text = 'done'): void => send(`${tag} OK ${text}\r\n`);
      if (upper.startsWith('CAPABILITY')) {
        send(`* CAPABILITY ${caps}\r\n`);
        ok();
      } else if (upper.startsWith('LOGIN')) {
        ok(`[CAPABILITY ${caps}] logged in`);
      } else if (upper.startsWith('LIST')) {
        if (/""\s*""$/.test(rest)) send('* LIST (\\Noselect) "/" ""\r\n');
        else send('* LIST (\\HasNoChildren) "/" INBOX\r\n');
        ok();
      } else if (upper.startsWith('SELECT') || upper.startsWith('EXAMINE')) {
        send('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n');
        send('* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] flags\r\n');
        send(`* ${messages.length} EXISTS\r\n* 0 RECENT\r\n`);
        send(`* OK [UIDVALIDITY ${uidValidity}] uids\r\n* OK [UIDNEXT ${nextUid}] next\r\n`);
        ok('[READ-WRITE] selected');
      } else if (upper.startsWith('STATUS')) {
        send(`* STATUS INBOX (MESSAGES ${messages.length})\r\n`);
        ok();
      } else if (upper.startsWith('IDLE')) {
        idleTag = tag;
        send('+ idling\r\n'); // and never a word about new mail
      } else if (upper.startsWith('UID FETCH')) {
        const fm = /^UID FETCH (\S+) (.*)$/i.exec(rest)!;
        const wantBody = /BODY/i.test(fm[2]!);
        if (wantBody && hangs > 0) {
          hangs -= 1;
          return; // the hung server
        }
        const max = maxUid();
        if (wantBody) {
          for (const uid of opts.expungeOnBodyFetch ?? []) {
            const i = messages.findIndex((x) => x.uid === uid);
            if (i >= 0) {
              messages.splice(i, 1);
              send(`* ${i + 1} EXPUNGE\r\n`);
            }
          }
        }
        messages.forEach((msg, i) => {
          if (!inSet(msg.uid, fm[1]!, max)) return;
          const head = `* ${i + 1} FETCH (UID ${msg.uid} INTERNALDATE "${imapDate(msg.internalDate)}" RFC822.SIZE ${msg.raw.length} FLAGS (${[...msg.flags].join(' ')})`;
          if (wantBody) send(Buffer.concat([Buffer.from(`${head} BODY[] {${msg.raw.length}}\r\n`), msg.raw, Buffer.from(')\r\n')]));
          else send(`${head})\r\n`);
        });
        ok();
      } else if (upper.startsWith('UID SEARCH')) {
        const tokens = rest.split(/\s+/).slice(2);
        let found = messages;
        for (let i = 0; i < tokens.length; i++) {
          const t = tokens[i]!.toUpperCase();
          if (t === 'UID') {
            const set = tokens[++i]!;
            const max = maxUid();
            found = found.filter((x) => inSet(x.uid, set, max));
          } else if (t === 'UNKEYWORD') {
            const k = tokens[++i]!;
            found = found.filter((x) => !x.flags.has(k));
          } else if (t === 'KEYWORD') {
            const k = tokens[++i]!;
            found = found.filter((x) => x.flags.has(k));
          }
        }
        send(`* SEARCH${found.map((x) => ` ${x.uid}`).join('')}\r\n`);
        ok();
      } else if (upper.startsWith('UID STORE')) {
        const sm = /^UID STORE (\S+) \+FLAGS(?:\.SILENT)? \((.*)\)$/i.exec(rest);
        if (sm) {
          const max = maxUid();
          for (const msg of messages) if (inSet(msg.uid, sm[1]!, max)) for (const f of sm[2]!.split(' ')) msg.flags.add(f);
        }
        ok();
      } else if (upper.startsWith('UID MOVE') && opts.move) {
        const set = rest.split(' ')[2]!;
        const max = maxUid();
        for (let i = messages.length - 1; i >= 0; i--) {
          if (inSet(messages[i]!.uid, set, max)) {
            messages.splice(i, 1);
            send(`* ${i + 1} EXPUNGE\r\n`);
          }
        }
        ok();
      } else if (upper.startsWith('LOGOUT')) {
        send('* BYE bye\r\n');
        ok();
        socket.end();
      } else if (upper.startsWith('NOOP') || upper.startsWith('CREATE') || upper.startsWith('SUBSCRIBE') || upper.startsWith('ENABLE')) {
        ok();
      } else {
        send(`${tag} BAD not in this fake\r\n`);
      }
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.subarray(0, nl).toString('utf8');
        buffer = buffer.subarray(nl + 2);
        handle(line);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    messages,
    commands,
    connections: () => accepted,
    add(raw) {
      const msg: FakeMessage = { uid: nextUid++, raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw), internalDate: new Date(), flags: new Set() };
      messages.push(msg);
      return msg;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

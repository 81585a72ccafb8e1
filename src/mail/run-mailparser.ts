import type { Readable } from 'node:stream';
import { MailParser, type Attachment, type AttachmentStream, type HeaderLines, type Headers, type MailParserOptions, type MessageText, type ParsedMail } from 'mailparser';

/** An inline text part that carries a file name (RFC 2231 `filename*=` or plain): the sender attached a file. */
export interface NamedTextPart {
  filename: string;
  contentType: string;
  /** Decoded, as it also appears in the message text. */
  text: string;
}

export interface MailparserResult {
  mail: ParsedMail;
  namedTextParts: NamedTextPart[];
}

// The fields simpleParser lifts from the top-level headers onto the result.
const LIFTED = ['subject', 'references', 'date', 'to', 'from', 'cc', 'bcc', 'message-id', 'in-reply-to', 'reply-to'] as const;

/**
 * mailparser's simpleParser, driven through the streaming MailParser it wraps, for one thing
 * simpleParser hides: mailparser 3.9.31 folds every inline text part into the message text and
 * drops its file name, so a report a client attached as `inline; filename*=UTF-8''отчёт.txt`
 * would vanish as a file. The parts are read from the parser's part tree once it has ended; that
 * tree is not public API, so its shape is checked field by field and an unexpected one gives no
 * named parts rather than an error. Only the options tidings uses are supported (keepCidLinks:
 * no rewriting of cid: links).
 */
export function runMailparser(input: Buffer | Readable, options: MailParserOptions & { keepCidLinks: true }): Promise<MailparserResult> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser(options);
    const mail = { attachments: [] as Attachment[] } as unknown as ParsedMail & Record<string, unknown>;
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    parser.on('error', fail);
    parser.on('headers', (headers: Headers) => {
      mail.headers = headers;
      mail.headerLines = (parser as unknown as { headerLines: HeaderLines }).headerLines;
    });
    let reading = false;
    const read = (): void => {
      reading = true;
      for (;;) {
        const data = parser.read() as AttachmentStream | MessageText | null;
        if (data === null) {
          reading = false;
          return;
        }
        if (data.type === 'text') {
          if (data.text !== undefined) mail.text = data.text;
          if (typeof data.html === 'string') mail.html = data.html;
        } else {
          // An attachment must be read to its end and released before the parser goes on.
          const chunks: Buffer[] = [];
          mail.attachments.push(data as unknown as Attachment);
          data.content.on('data', (chunk: Buffer) => chunks.push(chunk));
          data.content.on('end', () => {
            (data as unknown as Attachment).content = Buffer.concat(chunks);
            data.release();
            read();
          });
          return;
        }
      }
    };
    parser.on('readable', () => {
      if (!reading) read();
    });
    parser.on('end', () => {
      if (settled) return;
      settled = true;
      for (const key of LIFTED) {
        if (mail.headers?.has(key)) mail[key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = mail.headers.get(key);
      }
      resolve({ mail, namedTextParts: namedTextParts((parser as unknown as { tree?: unknown }).tree) });
    });
    if (Buffer.isBuffer(input)) {
      parser.end(input);
    } else {
      input.once('error', (err) => {
        parser.destroy();
        fail(err);
      });
      input.pipe(parser);
    }
  });
}

interface TreeNode {
  contentType?: unknown;
  disposition?: unknown;
  isAttachment?: unknown;
  textContent?: unknown;
  node?: { filename?: unknown };
  children?: unknown;
}

function namedTextParts(tree: unknown): NamedTextPart[] {
  const out: NamedTextPart[] = [];
  const visit = (n: TreeNode, depth: number): void => {
    if (depth > 100) return;
    const filename = n.node?.filename;
    if (n.isAttachment === false && (n.contentType === 'text/plain' || n.contentType === 'text/html') && typeof filename === 'string' && filename !== '' && typeof n.textContent === 'string') {
      out.push({ filename, contentType: n.contentType, text: n.textContent });
    }
    if (Array.isArray(n.children)) for (const c of n.children) if (c !== null && typeof c === 'object') visit(c as TreeNode, depth + 1);
  };
  if (tree !== null && typeof tree === 'object') visit(tree as TreeNode, 0);
  return out;
}

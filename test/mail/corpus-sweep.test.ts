import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyMessage, type MessageClass } from '../../src/core/mail/classify.js';
import { parseContentType } from '../../src/core/mail/content-type.js';
import { firstHeader } from '../../src/core/mail/mail-headers.js';
import { createHash } from 'node:crypto';
import { bodyBytes } from '../../src/mail/message-digests.js';
import { parseMessage, type ParsedMessage } from '../../src/mail/parse-message.js';
import { isTidingsError } from '../../src/errors.js';
import { CORPUS_DIR, corpusPresent, filesUnder } from '../support/corpus.js';

/**
 * Real mail from other people's software (../shared/corpus, see its README): every file must parse
 * or be refused with one of the two quarantine codes, and the delivery reports must be read as
 * bounces with their recipients.
 */
const corpusDir = CORPUS_DIR;
const present = corpusPresent;
const MAX_BYTES = 25 * 1024 * 1024;


interface Outcome {
  rel: string;
  raw: Buffer;
  parsed?: ParsedMessage;
  refused?: string;
  crashed?: string;
  kind?: MessageClass;
}

async function sweep(): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const file of filesUnder(corpusDir)) {
    const raw = readFileSync(file);
    const outcome: Outcome = { rel: path.relative(corpusDir, file), raw };
    try {
      outcome.parsed = await parseMessage(raw, { maxBytes: MAX_BYTES });
      const { headers, returnPath, hasDeliveryStatusPart } = outcome.parsed;
      outcome.kind = classifyMessage(headers, { returnPath, hasDeliveryStatus: hasDeliveryStatusPart }).kind;
    } catch (err) {
      if (isTidingsError(err, 'E_MESSAGE_UNPARSEABLE') || isTidingsError(err, 'E_MESSAGE_TOO_LARGE')) outcome.refused = err.code;
      else outcome.crashed = String(err instanceof Error ? (err.stack ?? err.message) : err);
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

const count = <T>(items: readonly T[], key: (t: T) => string): Record<string, number> =>
  items.reduce<Record<string, number>>((acc, t) => ({ ...acc, [key(t)]: (acc[key(t)] ?? 0) + 1 }), {});

describe.skipIf(!present)(present ? `corpus sweep over ${corpusDir}` : `corpus sweep SKIPPED: ${corpusDir} not found`, () => {
  let outcomes: Outcome[] = [];

  it('every file parses or is refused with E_MESSAGE_UNPARSEABLE / E_MESSAGE_TOO_LARGE, none crashes', async () => {
    outcomes = await sweep();
    const crashed = outcomes.filter((o) => o.crashed !== undefined).map((o) => `${o.rel}: ${o.crashed}`);
    expect(crashed).toEqual([]);
    const byFolder = count(outcomes, (o) => `${o.rel.split(path.sep)[0]}: ${o.kind ?? o.refused}`);
    console.log(`corpus: ${outcomes.length} files`, byFolder);
    console.log('refused:', outcomes.filter((o) => o.refused !== undefined).map((o) => o.rel));
    expect(outcomes.length).toBeGreaterThan(700);
  });

  it('every delivery-status multipart/report in the bounces folder is a bounce with its recipients', () => {
    const bounces = outcomes.filter((o) => o.rel.startsWith(`bounces-sisimai${path.sep}`) && o.parsed !== undefined);
    const reports = bounces.filter((o) => {
      const type = parseContentType(firstHeader(o.parsed!.headers, 'content-type'));
      return type.type === 'multipart/report' && /^(?:global-)?delivery-status$/i.test(type.params['report-type'] ?? '');
    });
    expect(reports.filter((o) => o.kind !== 'bounce').map((o) => o.rel)).toEqual([]);

    // A few corpus reports carry no recipient field anywhere (no delivery-status part, or an empty
    // one, and no X-Failed-Recipients); nothing can be parsed from those, so they are listed, not failed.
    const hasRecipientField = (o: Outcome): boolean => /^(?:final-recipient|original-recipient|x-failed-recipients):/im.test(o.raw.toString('latin1'));
    const withField = reports.filter(hasRecipientField);
    const missing = withField.filter((o) => (o.parsed!.deliveryStatus?.recipients.length ?? 0) === 0).map((o) => o.rel);
    expect(missing).toEqual([]);

    const recipients = reports.reduce((n, o) => n + (o.parsed!.deliveryStatus?.recipients.length ?? 0), 0);
    const permanent = reports.reduce((n, o) => n + (o.parsed!.deliveryStatus?.recipients.filter((r) => r.isPermanent).length ?? 0), 0);
    console.log(
      `bounces folder: ${bounces.length} parsed; ${reports.length} delivery-status reports, all classified bounce; ` +
        `${withField.length} with recipient fields, all parsed (${recipients} recipients, ${permanent} permanent); ` +
        `without any recipient field: ${reports.filter((o) => !hasRecipientField(o)).map((o) => o.rel).join(', ')}`,
    );
    console.log('bounces folder by class:', count(bounces, (o) => o.kind ?? '?'));
    console.log('bounces folder, classified human:', bounces.filter((o) => o.kind === 'human').map((o) => o.rel));
    expect(reports.length).toBeGreaterThan(300);
  });
  // The store trusts these digests instead of hashing again on the main thread: they must be the
  // SHA-256 of exactly the bytes stored, for every kind of mail the corpus has.
  it('the digests the parser hands over are the SHA-256 of the raw bytes, the body and each attachment', () => {
    const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
    const parsed = outcomes.filter((o) => o.parsed !== undefined);
    const wrong: string[] = [];
    let attachments = 0;
    for (const o of parsed) {
      const p = o.parsed!;
      if (p.digests.raw !== sha(o.raw)) wrong.push(`${o.rel}: raw`);
      // The body found independently of bodyBytes: after the first blank line, CRLF or LF.
      const text = o.raw.toString('latin1');
      const blank = /\r\n\r\n|\n\n/.exec(text);
      const body = blank === null ? Buffer.alloc(0) : o.raw.subarray(blank.index + blank[0].length);
      if (p.digests.body !== sha(body)) wrong.push(`${o.rel}: body`);
      if (!bodyBytes(o.raw).equals(body)) wrong.push(`${o.rel}: body bytes`);
      for (const a of p.attachments) {
        attachments += 1;
        if (a.sha256 !== sha(a.content)) wrong.push(`${o.rel}: attachment ${a.filename ?? a.contentType}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(parsed.length).toBeGreaterThan(600);
    expect(attachments).toBeGreaterThan(300);
  });
});

import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { parseMessage } from '../../src/mail/parse-message.js';
it('x', async () => {
  for (const f of (process.env.F ?? '').split(',')) {
    const m = await parseMessage(readFileSync('../shared/corpus/bounces-sisimai/' + f + '.eml'), { maxBytes: 1e7 });
    console.log(f, JSON.stringify({ text: m.text.slice(0, 300), ds: m.deliveryStatus, att: m.attachments.map((a) => [a.contentType, a.size]) }, null, 1));
  }
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { parseMessage } from '../../src/mail/parse-message.js';
import { classifyMessage } from '../../src/core/mail/classify.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => { const p = path.join(dir, n); return statSync(p).isDirectory() ? walk(p) : [p]; });
}
it('scratch', async () => {
  const root = path.resolve('../shared/corpus');
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  for (const f of walk(root)) {
    const rel = path.relative(root, f);
    try {
      const m = await parseMessage(readFileSync(f), { maxBytes: 10_000_000 });
      const c = classifyMessage(m.headers, { hasDeliveryStatus: m.deliveryStatus !== undefined });
      const key = rel.split('/')[0] + ':' + c.kind;
      counts[key] = (counts[key] ?? 0) + 1;
      if (rel.startsWith('bounces') && c.kind !== 'bounce' && process.env.SHOW) console.log(rel, c.kind, c.reason, '|', m.subject, '|', m.from?.address);
      if (rel.startsWith('bounces') && c.kind === 'bounce' && (m.deliveryStatus?.recipients.length ?? 0) === 0 && process.env.SHOW2) console.log('NOREC', rel, c.reason, m.returnedMessageId);
    } catch (e) {
      const key = rel.split('/')[0] + ':ERR:' + ((e as any).code ?? (e as Error).message);
      counts[key] = (counts[key] ?? 0) + 1;
      if (process.env.SHOWERR) console.log(rel, (e as Error).message);
    }
  }
  console.log(counts, Date.now() - t0);
});

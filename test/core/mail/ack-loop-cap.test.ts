import { describe, expect, it } from 'vitest';
import { ackHold, requestIdentity } from '../../../src/core/mail/ack-loop-cap.js';

const limits = { perRequest: 1, perSender: 50 };

describe('ackHold', () => {
  it('holds a repeat of one request and a sender past the flood ceiling, nothing else', () => {
    expect(ackHold({ total: 0, sameRequest: 0 }, limits)).toBeUndefined();
    expect(ackHold({ total: 49, sameRequest: 0 }, limits)).toBeUndefined();
    expect(ackHold({ total: 3, sameRequest: 1 }, limits)).toEqual({ reason: 'repeat', limit: 1 });
    expect(ackHold({ total: 50, sameRequest: 0 }, limits)).toEqual({ reason: 'flood', limit: 50 });
    expect(ackHold({ total: 2, sameRequest: 1 }, { perRequest: 2, perSender: 50 })).toBeUndefined();
  });
});

describe('requestIdentity', () => {
  const id = (subject: string, visibleText: string, attachmentDigests: string[] = []) => requestIdentity({ subject, visibleText, attachmentDigests }, 'TID#');

  it('ignores reply markers, our tags, case, white space and line ends', () => {
    const base = id('Export failed', 'Export job failed.\nPlease check.');
    expect(id('RE: AW: [TID#12] export  FAILED', 'Export job failed.\r\n\r\n  Please check.')).toBe(base);
    expect(id('Away', 'Your mail [TID#7] will be read later.')).toBe(id('Away', 'Your mail [TID#8] will be read later.'));
  });

  it('tells apart another subject, another text, other attachments', () => {
    const base = id('Export failed', 'Export job failed.', ['aa']);
    expect(id('Import failed', 'Export job failed.', ['aa'])).not.toBe(base);
    expect(id('Export failed', 'Import job failed.', ['aa'])).not.toBe(base);
    expect(id('Export failed', 'Export job failed.', ['bb'])).not.toBe(base);
    expect(id('Export failed', 'Export job failed.', ['bb', 'aa'])).toBe(id('Export failed', 'Export job failed.', ['aa', 'bb']));
  });
});

/**
 * docs/protocol.md guides sensor makers (issue 17.16): the counts interval and why (it is the
 * actuated gap resolution), the clock accuracy, and that the client id is the username.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_WINDOW_MS } from '../../protocol/index.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');
const section = doc.split('## For sensor makers')[1]?.split('\n## ')[0] ?? '';

describe('docs/protocol.md: for sensor makers', () => {
  it('exists', () => {
    expect(section.length).toBeGreaterThan(0);
  });
  it('says which counts interval to use and why', () => {
    expect(section).toMatch(/gap resolution \*is\* your counts interval/);
    expect(section).toMatch(/Use \*\*1 s\*\*/);
  });
  it('says what clock accuracy is required, and the window that refuses the rest', () => {
    expect(section).toMatch(/within 1 s of true time/);
    expect(section).toContain('implausible-time');
    expect(doc).toContain(`default ±${DEFAULT_TIME_WINDOW_MS / 86_400_000} day`);
  });
  it('says the client id is the username', () => {
    expect(section).toMatch(/Client id = username = device id/);
  });
});

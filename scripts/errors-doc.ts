/**
 * Writes docs/errors.md from the code table in src/errors.ts: `node scripts/errors-doc.ts`.
 * test/unit/errors.test.ts fails when the file and the table disagree.
 */
import { writeFileSync } from 'node:fs';
import { CODES } from '../src/errors.ts';

export function errorsMarkdown(): string {
  const rows = Object.entries(CODES).map(([code, info]) => {
    const status = 'status' in info ? String(info.status) : '';
    return `| \`${code}\` | ${status} | ${info.summary.replaceAll('|', '\\|')} |`;
  });
  return [
    '# Error and diagnostic codes',
    '',
    'Generated from `src/errors.ts` by `node scripts/errors-doc.ts`; `npm test` checks that the two agree.',
    '`EW_*` codes are configuration diagnostics (shown at start, in `/config/status` and in logs, with file, line,',
    'object and field); `EDGEWAY_*` codes are request failures, sent in the `X-Edgeway-Error` response header and',
    'logged as the access log `reason`.',
    '',
    '| code | HTTP status | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.main) writeFileSync(new URL('../docs/errors.md', import.meta.url), errorsMarkdown());

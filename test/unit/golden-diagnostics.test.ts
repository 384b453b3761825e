/**
 * Golden diagnostics: every manifest in test/golden/diagnostics/ carries, in its leading comment, the diagnostics the
 * loader must report for it (`# expect: SEVERITY CODE OBJECT FIELD LINE:COLUMN`), and nothing else. A new case is a
 * new file; what a user writes and what edgeway answers sit side by side.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load-config.ts';

const DIR = join(import.meta.dirname, '..', 'golden', 'diagnostics');

for (const name of readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  test(`golden: ${name}`, (t) => {
    const text = readFileSync(join(DIR, name), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
    t.true(expected.length > 0, 'the file says what it expects');
    const load = loadConfigText([{ path: name, text }]);
    const got = load.diagnostics.map((d) => `${d.severity} ${d.code} ${d.object ?? '-'} ${d.field ?? '-'} ${d.position?.line ?? 0}:${d.position?.column ?? 0}`);
    t.deepEqual(got, expected);
  });
}

/**
 * Processes starting at once in one directory (replicas, test runs) make one default certificate between them: the
 * creator holds a lock file, the others wait for the pair and read it, so nobody reads a key from one run and a
 * certificate from another.
 */
import test from 'ava';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDefaultPair } from '../../src/tls/default-certificate.ts';
import { loadOrCreatePemPair } from '../../src/tls/pem-pair-files.ts';

test('eight concurrent creators of one pair all get the same pair, made once, and no lock is left', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edgeway-pair-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let generated = 0;
  const generate = () => {
    generated++;
    return generateDefaultPair(new Date());
  };
  const pairs = await Promise.all(Array.from({ length: 8 }, () => loadOrCreatePemPair(join(dir, 'c.crt'), join(dir, 'c.key'), generate)));
  t.is(generated, 1);
  t.is(pairs.filter((p) => p.created).length, 1);
  t.true(pairs.every((p) => p.certPem === pairs[0]!.certPem && p.keyPem === pairs[0]!.keyPem));
  t.deepEqual((await readdir(dir)).sort(), ['c.crt', 'c.key']);
});

test('a stale lock left by a process that died is taken over; a lone key without its lock is still an error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edgeway-pair-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lock = join(dir, 'c.key.lock');
  await writeFile(lock, '');
  const { utimes } = await import('node:fs/promises');
  const old = new Date(Date.now() - 120_000);
  await utimes(lock, old, old);
  const pair = await loadOrCreatePemPair(join(dir, 'c.crt'), join(dir, 'c.key'), () => generateDefaultPair(new Date()));
  t.true(pair.created);
  await rm(join(dir, 'c.crt'));
  await t.throwsAsync(
    loadOrCreatePemPair(join(dir, 'c.crt'), join(dir, 'c.key'), () => generateDefaultPair(new Date())),
    { message: /exists but .*c\.crt does not/ },
  );
});

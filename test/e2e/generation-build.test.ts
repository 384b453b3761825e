/**
 * One builder for the start and every reload (src/generation/build-generation.ts): the same input is refused with
 * the same code either way, and through Edgeway the start throws that code while a reload records it and keeps the
 * previous generation serving. Pins the start once labelling every failure EW_ADMIN_TOKEN_UNREADABLE and a reload
 * refusing a non-loopback admin listener without a code.
 */
import test, { type ExecutionContext } from 'ava';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileObjectSource } from '../../src/store/file-object-source.ts';
import { ParseCache } from '../../src/config/parse-cache.ts';
import { EMPTY_ALLOCATION_STATE } from '../../src/allocation/allocation-state.ts';
import { Edgeway } from '../../src/edgeway.ts';
import type { EdgewayError } from '../../src/edgeway-error.ts';
import { buildGeneration, type BuildInput } from '../../src/generation/build-generation.ts';
import type { Generation } from '../../src/generation/generation.ts';
import type { Overrides } from '../../src/generation/overrides.ts';
import { CompileMemo } from '../../src/snapshot/compile-memo.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';

const TOKEN = 'generation-token-0123456789';
const BROKEN = '---\nkind: Service\nmetadata: {name: [broken\n';

interface Fixture {
  readonly file: string;
  readonly dir: string;
  build(generation: number, prior: Generation | null, overrides?: Overrides): Promise<Generation | EdgewayError>;
}

async function fixture(t: ExecutionContext): Promise<Fixture> {
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  const cache = new ParseCache();
  const memo = new CompileMemo();
  return {
    file,
    dir,
    build: (generation, prior, overrides = {}) => {
      const input: BuildInput = {
        source: new FileObjectSource([file], { cache }),
        overrides,
        generation,
        prior,
        memo,
        allocations: async () => EMPTY_ALLOCATION_STATE,
        report: () => undefined,
      };
      return buildGeneration(input);
    },
  };
}

function config(admin: string): string {
  return docs(INGRESS_CLASS, settings(`reload: {watch: false}${admin}`), serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: 9 }]));
}

function built(t: ExecutionContext, result: Generation | EdgewayError): Generation {
  if (!('snapshot' in result)) t.fail(`${result.code}: ${result.message}`);
  return result as Generation;
}

/** The code and the distinct codes of its diagnostics, or 'built'. */
function refusal(result: Generation | EdgewayError): readonly [string, readonly string[]] | 'built' {
  return 'snapshot' in result ? 'built' : [result.code, [...new Set(result.diagnostics.map((d) => d.code))]];
}

const nonLoopback: Overrides = { admin: { host: '0.0.0.0', port: 0 } };

test('a non-loopback admin listener without a token: EW_ADMIN_NOT_LOOPBACK at start and on the reload that removes the token', async (t) => {
  const f = await fixture(t);
  await writeFile(f.file, config(''));
  t.deepEqual(refusal(await f.build(1, null, nonLoopback)), ['EW_ADMIN_NOT_LOOPBACK', ['EW_ADMIN_NOT_LOOPBACK']], 'start');

  await writeFile(f.file, config(`\nadmin: {token: ${TOKEN}}`));
  const first = built(t, await f.build(1, null, nonLoopback));
  t.is(first.token, TOKEN);
  await writeFile(f.file, config(''));
  const reload = await f.build(2, first, nonLoopback);
  t.deepEqual(refusal(reload), ['EW_ADMIN_NOT_LOOPBACK', ['EW_ADMIN_NOT_LOOPBACK']], 'reload');
  t.regex((reload as EdgewayError).message, /spec\.admin\.token/);
});

test('an unreadable token file: EW_ADMIN_TOKEN_UNREADABLE at start and on reload', async (t) => {
  const f = await fixture(t);
  const tokenFile = join(f.dir, 'token');
  await writeFile(f.file, config(`\nadmin: {tokenFile: ${tokenFile}}`));
  t.deepEqual(refusal(await f.build(1, null)), ['EW_ADMIN_TOKEN_UNREADABLE', ['EW_ADMIN_TOKEN_UNREADABLE']], 'start');
  await writeFile(tokenFile, `${TOKEN}\n`);
  const first = built(t, await f.build(1, null));
  await writeFile(tokenFile, 'short\n');
  t.deepEqual(refusal(await f.build(2, first)), ['EW_ADMIN_TOKEN_UNREADABLE', ['EW_ADMIN_TOKEN_UNREADABLE']], 'reload');
});

test('unreadable input: EW_CONFIG_INVALID with its errors, before the allocation state is asked for', async (t) => {
  const f = await fixture(t);
  await writeFile(f.file, config('') + BROKEN);
  let asked = 0;
  const result = await buildGeneration({
    source: new FileObjectSource([f.file], { cache: new ParseCache() }),
    overrides: {},
    generation: 1,
    prior: null,
    memo: new CompileMemo(),
    allocations: async () => {
      asked++;
      return EMPTY_ALLOCATION_STATE;
    },
    report: () => undefined,
  });
  t.deepEqual(refusal(result), ['EW_CONFIG_INVALID', ['EW_YAML_SYNTAX']]);
  t.is(asked, 0);
});

test('a reload continues from the prior generation: equal settings stay its object, the next generation number is used', async (t) => {
  const f = await fixture(t);
  await writeFile(f.file, config(''));
  const first = built(t, await f.build(1, null));
  const second = built(t, await f.build(2, first));
  t.is(second.snapshot.generation, 2);
  t.is(second.snapshot.settings, first.snapshot.settings);
  t.is(second.cost.applyMs, 0, 'apply is counted by the swap');
});

test('Edgeway.start throws the real code; a reload with the same problem is rejected and the old generation keeps serving', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  const tokenFile = join(dir, 'token');
  const start = () =>
    Edgeway.start({
      configPaths: [file],
      overrides: { http: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, stateDir: join(dir, 'state'), logLevel: 'silent' },
      report: () => undefined,
    });
  await writeFile(file, config(`\nadmin: {tokenFile: ${tokenFile}}`));
  const missing = await t.throwsAsync(start());
  t.is((missing as EdgewayError).code, 'EW_ADMIN_TOKEN_UNREADABLE');

  await writeFile(file, config('') + BROKEN);
  const broken = await t.throwsAsync(start());
  t.is((broken as EdgewayError).code, 'EW_CONFIG_INVALID');
  t.deepEqual([...new Set((broken as EdgewayError).diagnostics.map((d) => d.code))], ['EW_YAML_SYNTAX']);

  await writeFile(tokenFile, `${TOKEN}\n`);
  await writeFile(file, config(`\nadmin: {tokenFile: ${tokenFile}}`));
  const edgeway = await start();
  t.teardown(() => edgeway.close(0));
  await rm(tokenFile);
  const outcome = await edgeway.reload('api');
  t.false(outcome.ok);
  t.is(outcome.generation, 1);
  t.deepEqual(
    outcome.diagnostics.map((d) => d.code),
    ['EW_ADMIN_TOKEN_UNREADABLE'],
  );
  t.is(edgeway.snapshot.generation, 1);
});

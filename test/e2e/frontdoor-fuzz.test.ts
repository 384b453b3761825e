/**
 * The front door under a request fuzzer, against the real bin as a child process (`dist/cli/main.js serve`, as
 * test/cli.test.ts runs it): a seeded generator (helpers/request-fuzzer.ts) mutates request lines, versions, header
 * blocks and body framing, a few hundred cases, one connection each. After every case the process must still be
 * running and must answer a proxied health request, and no log line may report a handler failure (a bug caught at
 * the handler's entry). Each case ends with a well-formed `Connection: close` request, so the connection closes as
 * soon as edgeway is done with it; edgeway's short timeouts bound the rest.
 *
 * The backend records every request it executes and answers each with a 200 edgeway never sends itself, so the bar
 * "no request executed by a backend without its response reaching the client" is checked per case: the client must
 * have received at least as many 200s as the backend executed requests.
 *
 * Also here: the access line of an answer edgeway gives itself logs the body bytes it sent.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { rawBackend } from '../helpers/raw-backend.ts';
import { rawExchange } from '../helpers/raw-client.ts';
import { fuzzCases } from '../helpers/request-fuzzer.ts';
import { waitFor } from '../helpers/servers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const SEED = Number(process.env.EDGEWAY_FUZZ_SEED ?? 19);
const CASES = Number(process.env.EDGEWAY_FUZZ_CASES ?? 400);
const SENTINEL = 'GET /sentinel HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n';

interface Served {
  readonly child: ChildProcess;
  readonly port: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

async function serve(t: Parameters<typeof tempDir>[0], backendPort: number): Promise<Served> {
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  await writeFile(
    file,
    // Load shedding off: on a busy test machine a 503 for the health request would be the machine's, not a case's.
    docs(
      INGRESS_CLASS,
      settings('downstream: {headersTimeout: 1s, requestTimeout: 2s, idleTimeout: 1s, maxBodySize: 16k}\noverload: {maxEventLoopDelay: 0s}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backendPort }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--workers', '1', '--config', file, '--http', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--state-dir', join(dir, 'state')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await waitFor(() => /http 127\.0\.0\.1:\d+/.test(stderr) || child.exitCode !== null, 15_000, 'edgeway to report its ports');
  const port = Number(/http 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1] ?? 0);
  return { child, port, stdout: () => stdout, stderr: () => stderr };
}

/** Log lines at error level or above (pino: 50 error, 60 fatal). */
function failures(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /"level":(5|6)\d/.test(line));
}

test('fuzzed request lines, versions, header blocks and bodies: the process stays up and answers after every case', async (t) => {
  t.timeout(180_000);
  const backend = await rawBackend(t, {
    // A HEAD answer has no body; anything else gets `ok`.
    respond: (req) => `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\n${req.method === 'HEAD' ? '' : 'ok'}`,
  });
  const gw = await serve(t, backend.port);
  t.not(gw.port, 0, gw.stderr());
  let unanswered = 0;
  /** How far cases got: to a backend, refused by edgeway's own checks, or refused by Node's parser. */
  const reach = { backend: 0, edgeway: 0, parser: 0 };
  for (const { label, bytes } of fuzzCases(SEED, CASES)) {
    const before = backend.requests.length;
    const answer = await rawExchange(gw.port, [bytes, SENTINEL], 8000);
    const executed = backend.requests.length - before;
    const answered = answer.statuses.filter((s) => s === 200).length;
    if (executed > 1) reach.backend++;
    else if (/x-edgeway-error: /i.test(answer.text)) reach.edgeway++;
    else reach.parser++;
    if (executed > answered) {
      unanswered += executed - answered;
      t.fail(`${label}: the backend ran ${executed} request(s), the client got ${answered} 200(s): ${JSON.stringify(answer.text.slice(0, 200))}`);
    }
    if (gw.child.exitCode !== null || gw.child.signalCode !== null) {
      t.fail(`${label}: the process exited (${gw.child.exitCode ?? gw.child.signalCode}): ${gw.stderr().slice(-2000)}`);
      return;
    }
    const health = await httpGet(`http://127.0.0.1:${gw.port}/health`, { host: 'app.test', connection: 'close' });
    if (health.status !== 200) t.fail(`${label}: the health request got ${health.status}`);
  }
  t.log(`seed ${SEED}, ${CASES} cases:`, reach);
  // The generator must keep reaching all three layers, or the fuzzer silently stops testing edgeway's own code.
  t.true(reach.backend > CASES / 10 && reach.edgeway > CASES / 10 && reach.parser > CASES / 10, JSON.stringify(reach));
  t.is(unanswered, 0, 'no request ran at the backend without its response reaching the client');
  t.deepEqual(backend.garbage, [], 'edgeway never sent the backend an unparsable request');
  t.deepEqual(failures(gw.stdout()), [], 'no request reached a handler failure');
  t.is(gw.child.exitCode, null, 'still running');
});

test("the access line of edgeway's own answer logs the body bytes it sent", async (t) => {
  const backend = await rawBackend(t);
  const gw = await serve(t, backend.port);
  const notFound = await rawExchange(gw.port, 'GET /x HTTP/1.1\r\nHost: nobody.test\r\nConnection: close\r\n\r\n');
  t.deepEqual(notFound.statuses, [404]);
  const sent = Number(/content-length: (\d+)/i.exec(notFound.text)?.[1]);
  t.true(sent > 0);
  await waitFor(() => gw.stdout().includes('EDGEWAY_NO_ROUTE'), 10_000, 'the 404 access line');
  const line = JSON.parse(
    gw
      .stdout()
      .split('\n')
      .find((l) => l.includes('EDGEWAY_NO_ROUTE'))!,
  ) as { status: number; bytes: number };
  t.is(line.status, 404);
  t.is(line.bytes, sent);
});

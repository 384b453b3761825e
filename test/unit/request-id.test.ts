/** Generated request ids: UUID layout (version 8, RFC 9562 variant), unique within a process and across processes. */
import test from 'ava';
import { RequestIds } from '../../src/dataplane/request/request-id.ts';

const LAYOUT = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ids have the UUID version 8 layout and never repeat within a sequence', (t) => {
  const ids = new RequestIds();
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const id = ids.next();
    t.regex(id, LAYOUT);
    seen.add(id);
  }
  t.is(seen.size, 10_000);
});

test('two sequences differ in their random part; the variant bits are set whatever the random bytes', (t) => {
  t.not(new RequestIds().next(), new RequestIds().next());
  for (const fill of [0x00, 0xff, 0x5a]) {
    const id = new RequestIds((size) => Buffer.alloc(size, fill)).next();
    t.regex(id, LAYOUT, `random bytes 0x${fill.toString(16)}`);
  }
  t.is(new RequestIds((size) => Buffer.alloc(size, 0)).next(), '00000000-0000-8000-8000-000000000000');
});

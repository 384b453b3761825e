import test from 'ava';
import { normalizeHost } from '../../src/routing/normalize-host.ts';

const cases: readonly (readonly [input: string | undefined, expected: string | null, why: string])[] = [
  [undefined, '', 'no Host header'],
  ['', '', 'empty Host header'],
  ['example.com', 'example.com', 'plain'],
  ['Example.COM', 'example.com', 'upper case'],
  ['example.com:8080', 'example.com', 'port stripped'],
  ['EXAMPLE.com:80', 'example.com', 'port stripped and lower-cased'],
  ['example.com.', 'example.com', 'one trailing dot'],
  ['example.com.:443', 'example.com', 'trailing dot before a port'],
  ['example.com:', 'example.com', 'empty port (RFC 3986 allows it)'],
  ['localhost', 'localhost', 'single label'],
  ['my_host.internal', 'my_host.internal', 'underscore accepted'],
  ['a-b.c-d', 'a-b.c-d', 'hyphens'],
  ['10.0.0.1:8080', '10.0.0.1', 'IPv4 with port'],
  ['[::1]', '[::1]', 'IPv6'],
  ['[::1]:8080', '[::1]', 'IPv6 with port'],
  ['[2001:DB8::1]:443', '[2001:db8::1]', 'IPv6 lower-cased'],
  ['[::ffff:10.0.0.1]', '[::ffff:10.0.0.1]', 'IPv4-mapped IPv6'],
  ['[::1', null, 'unclosed bracket'],
  ['[::1]x', null, 'junk after bracket'],
  ['[::1]:', '[::1]', 'IPv6 with empty port'],
  ['[zz::1]', null, 'not hex'],
  ['[]', null, 'empty brackets'],
  ['::1', null, 'IPv6 without brackets'],
  ['example.com.', 'example.com', 'fully qualified'],
  ['example..com', null, 'empty label'],
  ['.example.com', null, 'leading dot'],
  ['.', null, 'only a dot'],
  ['example.com..', null, 'two trailing dots'],
  [':80', null, 'only a port'],
  ['example.com:80:80', null, 'two ports'],
  ['example.com:99999', null, 'port out of range'],
  ['example.com:123456', null, 'port too long'],
  ['example.com:8o', null, 'port not digits'],
  ['exa mple.com', null, 'space'],
  [' example.com', null, 'leading space'],
  ['*.example.com', null, 'wildcard is not a request host'],
  ['ex\u00e4mple.com', null, 'non-ASCII (clients send punycode)'],
  ['example.com/evil', null, 'slash'],
  ['user@example.com', null, 'userinfo'],
  ['a\u0000b', null, 'NUL'],
  [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`, '63-character label'],
  [`${'a'.repeat(64)}.com`, null, '64-character label'],
  [Array(64).fill('abc').join('.').slice(0, 253), Array(64).fill('abc').join('.').slice(0, 253), '253 characters'],
  [`${Array(64).fill('abc').join('.').slice(0, 253)}a`, null, '254 characters'],
];

for (const [input, expected, why] of cases) {
  test(`normalizeHost ${JSON.stringify(input)?.slice(0, 40)}: ${why}`, (t) => {
    t.is(normalizeHost(input), expected);
  });
}

test('normalizeHost returns an already normal host unchanged (the same string)', (t) => {
  const host = 'api.example.com';
  t.is(normalizeHost(host), host);
});

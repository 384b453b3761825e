import test from 'ava';
import { normalizePath } from '../../src/routing/normalize-path.ts';

const cases: readonly (readonly [input: string, expected: string | null, why: string])[] = [
  ['/', '/', 'root'],
  ['/foo', '/foo', 'plain'],
  ['/foo/', '/foo/', 'trailing slash kept (Exact /foo/ differs from /foo)'],
  ['/Foo/BAR', '/Foo/BAR', 'case kept: paths are case-sensitive'],
  ['/.well-known/acme', '/.well-known/acme', 'a segment that starts with a dot is not a dot segment'],
  ['/a..b/c.', '/a..b/c.', 'dots inside segments'],
  ['/a/./b', '/a/b', 'single dot segment'],
  ['/a/../b', '/b', 'double dot segment'],
  ['/a/b/..', '/a/', 'trailing .. leaves a directory'],
  ['/a/b/.', '/a/b/', 'trailing . leaves a directory'],
  ['/..', '/', 'never above root'],
  ['/../../etc/passwd', '/etc/passwd', 'never above root, deeper'],
  ['/a/../../b', '/b', 'climbing past root from a subdirectory'],
  ['/.', '/', 'root dot'],
  ['//', '/', 'merged slashes at root'],
  ['//a///b//', '/a/b/', 'merged slashes everywhere'],
  ['/a//../b', '/b', 'empty segment merged before ..'],
  ['/%41%62c', '/Abc', 'unreserved letters decoded'],
  ['/%7e%2D%5f%2E', '/~-_.', 'other unreserved characters decoded'],
  ['/%2e%2e/secret', '/secret', '%2e decoded before dot-segment removal'],
  ['/a/%2E%2E/b', '/b', 'upper-case %2E'],
  ['/a/.%2e/b', '/b', 'mixed . and %2e'],
  ['/a%2Fb', '/a%2Fb', '%2F stays encoded: one segment'],
  ['/a%2fb', '/a%2Fb', '%2f upper-cased, still encoded'],
  ['/a/%2f/../b', '/a/b', 'an encoded slash is an ordinary segment for ..'],
  ['/%25', '/%25', 'an encoded percent stays encoded'],
  ['/%2541', '/%2541', 'no double decoding'],
  ['/caf%c3%a9', '/caf%C3%A9', 'non-ASCII escapes kept, hex upper-cased'],
  ['/a%3ab', '/a%3Ab', 'reserved characters stay encoded'],
  ['/a%20b', '/a%20b', 'encoded space stays'],
  ['/a b', '/a%20b', 'a raw space is encoded'],
  ['/a\\b', '/a%5Cb', 'backslash is a literal character, never a separator'],
  ['/a\\..\\b', '/a%5C..%5Cb', 'backslash dot segments are not dot segments'],
  ['/a"<>^`{|}[]#?', '/a%22%3C%3E%5E%60%7B%7C%7D%5B%5D%23%3F', 'characters not allowed in a path are encoded'],
  ["/!$&'()*+,;=:@", "/!$&'()*+,;=:@", 'sub-delims, colon and at-sign stay literal'],
  ['/caf\u00e9', '/caf%E9', 'a latin1 byte (as Node hands it over) is encoded as that byte'],
  ['/\u20ac', null, 'a character above 0xFF cannot come off the wire'],
  ['', null, 'empty'],
  ['foo', null, 'relative'],
  ['*', null, 'asterisk form'],
  ['http://x/a', null, "absolute form is the caller's job"],
  ['/a\u0000b', null, 'NUL'],
  ['/a\tb', null, 'tab'],
  ['/a\u007fb', null, 'DEL'],
  ['/a\r\nb', null, 'CR LF'],
  ['/a%00b', null, 'encoded NUL'],
  ['/a%0Ab', null, 'encoded LF'],
  ['/a%7F', null, 'encoded DEL'],
  ['/a%', null, 'truncated escape'],
  ['/a%4', null, 'half an escape'],
  ['/a%G1', null, 'non-hex escape'],
  ['/a%%41', null, 'percent followed by a percent'],
];

for (const [input, expected, why] of cases) {
  test(`normalizePath ${JSON.stringify(input)}: ${why}`, (t) => {
    t.is(normalizePath(input), expected);
  });
}

test('normalizePath is idempotent', (t) => {
  for (const [input] of cases) {
    const once = normalizePath(input);
    if (once !== null) t.is(normalizePath(once), once, input);
  }
});

test('normalizePath returns a canonical path unchanged (the same string)', (t) => {
  const canonical = "/api/v1/users/42/.config/~me/a:b@c!$&'()*+,;=";
  t.is(normalizePath(canonical), canonical);
});

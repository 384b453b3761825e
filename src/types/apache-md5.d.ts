/** The `apache-md5` package (CommonJS, no types of its own): Apache's `$apr1$` MD5 crypt. */
declare module 'apache-md5' {
  /** The `$apr1$salt$hash` of `password`, the salt taken from `salt` (a whole stored hash works). */
  export default function md5(password: string, salt?: string): string;
}

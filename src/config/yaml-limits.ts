/**
 * Bounds checked on a document's text before it is parsed. The YAML parser and the code after it walk nodes
 * recursively, so a hostile document nested a million levels deep (`[[[[…`, or `- - - …`) would spend seconds and
 * then overflow the stack; one pass over the characters refuses it at once instead, before any parse. A document
 * larger than the limit is refused the same way (the file limit, maxConfigBytes, bounds whole files).
 *
 * The depth measured is an upper bound of the parser's: block levels are the stack of indentation columns (each
 * `- ` or `? ` that starts a nested node on the same line counts as one), flow levels the open `[` and `{` outside
 * quoted scalars, comments and block scalars. Kubernetes objects nest about 10-15 levels deep (a Deployment's
 * container probe is 9), so the default of 64 leaves ample room. Both bounds are settings (`spec.yaml`); the defaults
 * here are the schema's, for parses outside a load (the admin API's request bodies). Pure.
 */

export interface YamlLimits {
  /** Deepest nesting of collections in one document. */
  readonly maxDepth: number;
  /** Largest document, in UTF-16 code units of its text (about bytes for configuration text). */
  readonly maxDocumentChars: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxDepth: 64, maxDocumentChars: 8 * 1024 * 1024 };

export interface LimitProblem {
  readonly code: 'EW_YAML_TOO_DEEP' | 'EW_FILE_TOO_LARGE';
  readonly message: string;
  /** 1-based, counted from the start of the text. */
  readonly line: number;
  readonly column: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;
const QUESTION = 0x3f;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_SQUARE = 0x5b;
const OPEN_CURLY = 0x7b;
const CLOSE_SQUARE = 0x5d;
const CLOSE_CURLY = 0x7d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const PIPE = 0x7c;
const GT = 0x3e;

/** The first limit `text` goes over, or undefined. Stops at the first level past the limit. */
export function yamlLimitProblem(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): LimitProblem | undefined {
  if (text.length > limits.maxDocumentChars) {
    return {
      code: 'EW_FILE_TOO_LARGE',
      message: `this YAML document is ${text.length} characters, over the limit of ${limits.maxDocumentChars}: split it into several documents`,
      line: 1,
      column: 1,
    };
  }
  const blocks: number[] = [];
  let flow = 0;
  /** Inside a quoted scalar that may go on over lines: its quote character, else 0. */
  let quote = 0;
  /** A block scalar's content lines are those indented more than this; -1 when not in one. */
  let blockScalarParent = -1;
  let line = 1;
  for (let at = 0; at < text.length; line++) {
    let eol = text.indexOf('\n', at);
    if (eol === -1) eol = text.length;
    let i = at;
    while (i < eol && text.charCodeAt(i) === SPACE) i++;
    const indent = i - at;
    const blank = i === eol || text.charCodeAt(i) === CR || (text.charCodeAt(i) === HASH && quote === 0);
    if (blockScalarParent >= 0) {
      if (blank || indent > blockScalarParent) {
        at = eol + 1;
        continue;
      }
      blockScalarParent = -1;
    }
    if (blank && quote === 0) {
      at = eol + 1;
      continue;
    }
    let nodeStart = true;
    if (quote === 0 && flow === 0) {
      while (blocks.length > 0 && blocks[blocks.length - 1]! >= indent) blocks.pop();
      blocks.push(indent);
      // `- - x`, `? - x`: each indicator followed by a blank opens one more level on the same line.
      for (;;) {
        const c = text.charCodeAt(i);
        const next = text.charCodeAt(i + 1);
        if ((c !== DASH && c !== QUESTION) || !(next === SPACE || next === TAB || i + 1 >= eol)) break;
        i += 2;
        while (i < eol && text.charCodeAt(i) === SPACE) i++;
        if (i < eol) blocks.push(i - at);
      }
    }
    if (blocks.length + flow > limits.maxDepth) return tooDeep(limits, line, i - at + 1);
    let headerCandidate = -1;
    for (; i < eol; i++) {
      const c = text.charCodeAt(i);
      if (quote !== 0) {
        if (c === BACKSLASH && quote === DQUOTE) i++;
        else if (c === quote) {
          if (quote === SQUOTE && text.charCodeAt(i + 1) === SQUOTE) i++;
          else quote = 0;
        }
        continue;
      }
      if (c === HASH && (i === at || isBlank(text.charCodeAt(i - 1)))) break;
      if (nodeStart && (c === DQUOTE || c === SQUOTE)) {
        quote = c;
        nodeStart = false;
        continue;
      }
      if (c === OPEN_SQUARE || c === OPEN_CURLY) {
        if (nodeStart || flow > 0) {
          flow++;
          if (blocks.length + flow > limits.maxDepth) return tooDeep(limits, line, i - at + 1);
          nodeStart = true;
        }
        continue;
      }
      if (flow > 0 && (c === CLOSE_SQUARE || c === CLOSE_CURLY)) {
        flow--;
        nodeStart = false;
        continue;
      }
      if (flow === 0 && nodeStart && (c === PIPE || c === GT)) headerCandidate = i;
      if (isBlank(c)) continue;
      // After `: ` (or `:` at the end), `,` and `- ` a new node starts; anything else is inside a scalar.
      const next = text.charCodeAt(i + 1);
      nodeStart =
        (c === COLON && (isBlank(next) || i + 1 >= eol || (flow > 0 && next === COMMA))) ||
        (flow > 0 && c === COMMA) ||
        ((c === DASH || c === QUESTION) && isBlank(next));
    }
    // A line ending in a block scalar header (`key: |`, `- >-`): the lines below indented deeper are its text.
    if (headerCandidate >= 0 && flow === 0 && quote === 0) blockScalarParent = indent;
    at = eol + 1;
  }
  return undefined;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

function tooDeep(limits: YamlLimits, line: number, column: number): LimitProblem {
  return {
    code: 'EW_YAML_TOO_DEEP',
    message: `this YAML document nests deeper than ${limits.maxDepth} levels here: Kubernetes objects never need that many; flatten the document`,
    line,
    column,
  };
}

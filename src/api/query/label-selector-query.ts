/**
 * The `?labelSelector=` query of list requests, in the API server's syntax: equality (`app=web`, `app==web`,
 * `tier!=db`), set-based (`env in (prod,staging)`, `env notin (dev)`), existence (`app`, `!app`), comma-separated
 * and ANDed. Parsed into a LabelSelector so matching reuses controllers/label-selector.ts. Pure.
 */
import type { LabelSelector, LabelSelectorRequirement } from '../../k8s/types.ts';

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** The selector, or an error sentence naming the bad part. */
export function parseLabelSelector(text: string): LabelSelector | { error: string } {
  const expressions: LabelSelectorRequirement[] = [];
  for (const part of splitTop(text)) {
    const term = part.trim();
    if (term === '') continue;
    const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (set !== null) {
      const values = set[3]!.split(',').map((v) => v.trim());
      if (!KEY.test(set[1]!) || values.some((v) => !VALUE.test(v))) return { error: `invalid label selector term ${JSON.stringify(term)}` };
      expressions.push({ key: set[1]!, operator: set[2] === 'in' ? 'In' : 'NotIn', values });
      continue;
    }
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (eq !== null) {
      if (!KEY.test(eq[1]!) || !VALUE.test(eq[3]!)) return { error: `invalid label selector term ${JSON.stringify(term)}` };
      expressions.push({ key: eq[1]!, operator: eq[2] === '!=' ? 'NotIn' : 'In', values: [eq[3]!] });
      continue;
    }
    const exists = /^(!?)\s*(\S+)$/.exec(term);
    if (exists !== null && KEY.test(exists[2]!)) {
      expressions.push({ key: exists[2]!, operator: exists[1] === '!' ? 'DoesNotExist' : 'Exists' });
      continue;
    }
    return { error: `invalid label selector term ${JSON.stringify(term)}: use key=value, key!=value, key in (a,b), key notin (a), key or !key` };
  }
  return { matchExpressions: expressions };
}

/** Splits on commas outside parentheses (`a in (x,y),b=c` → two terms). */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

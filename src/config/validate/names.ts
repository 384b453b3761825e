/**
 * The name rules of the Kubernetes API server (apimachinery's validation package), as pure predicates. Each rule
 * returns `undefined` when the value is fine, or the end of a sentence saying what is wrong and how to fix it, which
 * callers prefix with the value itself.
 */
import { BlockList, isIP } from 'node:net';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${LABEL}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const URL_PATH_CHARS = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

export type Rule = (value: string) => string | undefined;

export const dns1123Label: Rule = (v) =>
  v.length <= 63 && DNS1123_LABEL.test(v)
    ? undefined
    : 'must be a DNS-1123 label: at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit (e.g. "my-name")';

export const dns1123Subdomain: Rule = (v) =>
  v.length <= 253 && DNS1123_SUBDOMAIN.test(v)
    ? undefined
    : 'must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, "-" or ".", each dot-separated part starting and ending with a letter or digit (e.g. "example.com")';

export const dns1035Label: Rule = (v) =>
  v.length <= 63 && DNS1035_LABEL.test(v)
    ? undefined
    : 'must be a DNS-1035 label: at most 63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit (e.g. "my-service")';

/** IANA service names, used for port names that other objects refer to (named targetPorts, container ports). */
export const ianaServiceName: Rule = (v) => {
  if (v.length > 15) return 'is too long for a port name: at most 15 characters';
  if (!/^[-a-z0-9]+$/.test(v)) return 'must contain only lowercase letters, digits and "-" to be a port name';
  if (v.startsWith('-') || v.endsWith('-')) return 'must not begin or end with "-" to be a port name';
  if (v.includes('--')) return 'must not contain "--" to be a port name';
  if (!/[a-z]/.test(v)) return 'must contain at least one letter to be a port name; a port number must be written without quotes';
  return undefined;
};

/** Label and annotation keys: `[prefix/]name`, the prefix a DNS subdomain. */
export const qualifiedName: Rule = (v) => {
  const slash = v.indexOf('/');
  const prefix = slash === -1 ? undefined : v.slice(0, slash);
  const name = slash === -1 ? v : v.slice(slash + 1);
  if (prefix !== undefined && (prefix === '' || dns1123Subdomain(prefix) !== undefined)) {
    return 'has a prefix that is not a DNS-1123 subdomain: write it as "example.com/name"';
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'must be a qualified name: an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (e.g. "app.kubernetes.io/name")';
  }
  return undefined;
};

export const labelValue: Rule = (v) =>
  v.length <= 63 && LABEL_VALUE.test(v)
    ? undefined
    : 'must be a label value: empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';

export const ipAddress: Rule = (v) => (isIP(v) === 0 ? 'must be an IPv4 or IPv6 address (e.g. "10.0.0.5")' : undefined);

export const ipv4Address: Rule = (v) => (isIP(v) === 4 ? undefined : 'must be an IPv4 address (e.g. "10.0.0.5")');

export const ipv6Address: Rule = (v) => (isIP(v) === 6 ? undefined : 'must be an IPv6 address (e.g. "fd00::5")');

const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');
const LINK_LOCAL_MULTICAST = new BlockList();
LINK_LOCAL_MULTICAST.addSubnet('224.0.0.0', 24, 'ipv4');
LINK_LOCAL_MULTICAST.addSubnet('ff02::', 16, 'ipv6');

/**
 * An endpoint address the API server accepts (its ValidateNonSpecialIP, with its messages): not unspecified, not
 * link-local, not link-local multicast. Loopback, which it refuses too, stays allowed: edgeway's backends on the same
 * machine listen there (a documented extension).
 */
export function endpointIp(family: 4 | 6 | 0): Rule {
  return (v) => {
    const found = isIP(v);
    if (found === 0 || (family !== 0 && found !== family)) return (family === 4 ? ipv4Address : family === 6 ? ipv6Address : ipAddress)(v);
    const type = found === 4 ? 'ipv4' : 'ipv6';
    if (v === '0.0.0.0' || /^[0:]+$/.test(v)) return `may not be unspecified (${v})`;
    if (LINK_LOCAL.check(v, type)) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
    if (LINK_LOCAL_MULTICAST.check(v, type)) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
    return undefined;
  };
}

/** An Ingress host: a DNS name or `*.` and a DNS name; never an IP address or a port. */
export const ingressHost: Rule = (v) => {
  if (isIP(v) !== 0) return 'must be a DNS name, not an IP address: leave host out to match every address';
  if (/:\d*$/.test(v)) return 'must not include a port: write the host name only (e.g. "example.com")';
  if (v.startsWith('*.')) {
    return dns1123Subdomain(v.slice(2)) === undefined ? undefined : 'must be a wildcard "*." followed by a DNS-1123 subdomain (e.g. "*.example.com")';
  }
  if (v.includes('*')) return 'may only use a wildcard as a whole first label: "*.example.com"';
  return dns1123Subdomain(v);
};

/** `example.com/path`, as IngressClass `spec.controller` requires. */
export const domainPrefixedPath: Rule = (v) => {
  const slash = v.indexOf('/');
  const hint = 'must be a domain-prefixed path such as "edgeway.io/ingress-controller"';
  if (v.length > 250) return `is too long: at most 250 characters; ${hint}`;
  if (slash <= 0 || slash === v.length - 1) return hint;
  if (dns1123Subdomain(v.slice(0, slash)) !== undefined) return `has a domain that is not a DNS-1123 subdomain; ${hint}`;
  if (!URL_PATH_CHARS.test(v.slice(slash + 1))) return `has characters not allowed in a path; ${hint}`;
  return undefined;
};

/** Keys of Secret and ConfigMap `data`. */
export const configKey: Rule = (v) => {
  if (v === '.' || v === '..') return 'may not be "." or ".."';
  return v.length <= 253 && CONFIG_KEY.test(v) ? undefined : 'must be a valid data key: at most 253 letters, digits, "-", "_" or "." (e.g. "tls.crt")';
};

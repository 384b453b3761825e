/**
 * Answers the discovery paths (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/{group}[/{version}]`) for the admin
 * listener, before the object API sees a request. The documents never change while the process runs (they come
 * from the kind registry), so each is serialized once; a request only picks one. `/api` and `/apis` answer the
 * aggregated form (apidiscovery.k8s.io/v2) when the Accept header asks for it, as kubectl 1.30+ does first.
 */
import { apiGroup, apiGroupList, apiResourceList, apiVersions, groupDiscoveryList, groupVersions, versionsByGroup } from './discovery-documents.ts';

export interface DiscoveryReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** The Kubernetes API level edgeway's kinds follow; kubectl compares it with its own version for skew warnings. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-edgeway' } as const;

const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const JSON_TYPE = 'application/json';

const GVS = groupVersions();
const text = (value: unknown): string => JSON.stringify(value) + '\n';
const DOCUMENTS: ReadonlyMap<string, string> = new Map<string, string>([
  ['/apis', text(apiGroupList(GVS))],
  ...GVS.map((gv): [string, string] => [gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`, text(apiResourceList(gv))]),
  ...[...versionsByGroup(GVS)].map(([group, versions]): [string, string] => [`/apis/${group}`, text(apiGroup(group, versions))]),
  [
    '/version',
    text({
      ...KUBERNETES_VERSION,
      gitCommit: '',
      gitTreeState: '',
      buildDate: '',
      goVersion: '',
      compiler: 'edgeway',
      platform: `${process.platform}/${process.arch}`,
    }),
  ],
]);
const AGGREGATED_CORE = text(groupDiscoveryList(GVS, true));
const AGGREGATED_GROUPS = text(groupDiscoveryList(GVS, false));

/**
 * The reply for a discovery path, or null when `path` is not one (the object API answers it). `serverAddress` is
 * the Host the client used, for `/api`'s serverAddressByClientCIDRs.
 */
export function discoveryReply(path: string, accept: string | undefined, serverAddress: string): DiscoveryReply | null {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '/api' || trimmed === '/apis') {
    if (accept !== undefined && wantsAggregated(accept)) {
      return { status: 200, contentType: AGGREGATED_V2, body: trimmed === '/api' ? AGGREGATED_CORE : AGGREGATED_GROUPS };
    }
    if (trimmed === '/api') return { status: 200, contentType: JSON_TYPE, body: text(apiVersions(serverAddress)) };
  }
  const body = DOCUMENTS.get(trimmed);
  return body === undefined ? null : { status: 200, contentType: JSON_TYPE, body };
}

/** Whether one of the Accept header's media ranges is the v2 aggregated discovery list. */
function wantsAggregated(accept: string): boolean {
  for (const range of accept.split(',')) {
    const params = range.split(';').map((p) => p.trim());
    if (params.includes('as=APIGroupDiscoveryList') && params.includes('v=v2') && params.includes('g=apidiscovery.k8s.io')) return true;
  }
  return false;
}

/**
 * The schemas of every served kind, in edgeway's own words: Services and Ingresses field by field (what edgeway
 * reads and what `kubectl explain` is most asked about), the other kinds with their top-level fields and open
 * objects below (accepted as they are, described briefly). Keyed by the definition names Kubernetes clients look
 * for (`io.k8s.api.core.v1.Service`); each kind carries `x-kubernetes-group-version-kind`.
 */
import { bool, int, intOrString, kindSchema, list, object, open, ref, str, strMap, time, type Schema } from './schema-builders.ts';

const CORE = 'io.k8s.api.core.v1.';
const NET = 'io.k8s.api.networking.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

const objectMeta = object('What every object carries besides its spec: identity, labels and annotations.', {
  name: str('The name, unique among objects of this kind in the namespace. Required when creating, unless generateName is set.'),
  generateName: str('A prefix the server completes with random characters when name is empty.'),
  namespace: str('The namespace the object lives in; empty for cluster-scoped kinds.'),
  labels: strMap('Key/value pairs that selectors (of Services, Deployments, list requests) match on.'),
  annotations: strMap('Key/value pairs for tools and controllers; edgeway reads its settings per object from some of them.'),
  uid: str('A unique identifier the server assigns at creation and never reuses. Read-only.'),
  resourceVersion: str('The version of this object as the server last stored it, for optimistic concurrency and watches. Opaque; read-only.'),
  generation: { type: 'integer', format: 'int64', description: 'Counts changes to the desired state (spec). Read-only.' },
  creationTimestamp: time('When the server first stored the object (RFC 3339, UTC). Read-only.'),
  deletionTimestamp: time('When the object is to be deleted; set by the server. Read-only.'),
  finalizers: list(str(''), 'Names that must be removed before the object is deleted.'),
  ownerReferences: list(open('One owner of this object.'), 'The objects this one depends on.', ['uid']),
  managedFields: list(open('Which manager set which fields, and how (Apply or Update).'), 'Field ownership for server-side apply.'),
});

const servicePort = object(
  'One port a Service exposes.',
  {
    name: str('Names the port; required when the Service has more than one, and unique among them. Endpoints refer to it.'),
    protocol: str('The IP protocol of the port. Defaults to TCP.', ['SCTP', 'TCP', 'UDP']),
    appProtocol: str(
      'The application protocol spoken on the port (for example http, https, kubernetes.io/h2c); edgeway uses it to pick how to reach the backend.',
    ),
    port: int('The port number the Service listens on.'),
    targetPort: intOrString('The port (number, or the name of a container port) on the selected pods that traffic goes to. Defaults to port.'),
    nodePort: int('With type NodePort or LoadBalancer: the port opened on every node, allocated from the NodePort range when not given.'),
  },
  ['port'],
);

const serviceSpec = object('What the Service should be.', {
  type: str(
    'How the Service is exposed: ClusterIP (inside the cluster), NodePort, LoadBalancer (an external address from an address pool) or ExternalName (a DNS alias). Defaults to ClusterIP.',
    ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
  ),
  ports: list(ref(CORE + 'ServicePort'), 'The ports the Service exposes.', ['port', 'protocol']),
  selector: strMap("Pods whose labels match every pair here are the Service's endpoints. Without a selector, endpoints are managed by hand."),
  clusterIP: str('The virtual address of the Service, allocated when empty; "None" makes a headless Service. Cannot change once set.'),
  clusterIPs: list(str(''), 'The virtual addresses, one per IP family; the first equals clusterIP.'),
  externalIPs: list(str(''), 'Extra addresses on which nodes accept traffic for this Service.'),
  externalName: str('With type ExternalName: the DNS name the Service stands for.'),
  sessionAffinity: str('ClientIP keeps each client on one endpoint; None spreads requests. Defaults to None.', ['ClientIP', 'None']),
  sessionAffinityConfig: open('Settings of session affinity, such as clientIP.timeoutSeconds.'),
  externalTrafficPolicy: str('Cluster or Local: whether external traffic may go to endpoints on other nodes.', ['Cluster', 'Local']),
  internalTrafficPolicy: str('Cluster or Local: whether traffic from inside may go to endpoints on other nodes. Defaults to Cluster.', ['Cluster', 'Local']),
  loadBalancerIP: str('With type LoadBalancer: the address wanted from the pool (prefer the metallb.io/loadBalancerIPs annotation).'),
  loadBalancerClass: str('Which load balancer implementation handles this Service; empty means the default one.'),
  allocateLoadBalancerNodePorts: bool('Whether a LoadBalancer Service also gets NodePorts. Defaults to true.'),
  ipFamilies: list(str('', ['IPv4', 'IPv6']), "The IP families of the Service's addresses."),
  ipFamilyPolicy: str('SingleStack, PreferDualStack or RequireDualStack.', ['PreferDualStack', 'RequireDualStack', 'SingleStack']),
  publishNotReadyAddresses: bool('Whether endpoints that are not ready are published (in DNS and Endpoints).'),
  trafficDistribution: str('A preference for how traffic is spread over endpoints, such as PreferClose.'),
});

const loadBalancerStatus = object('The addresses of a load balancer.', {
  ingress: list(
    object('One address of the load balancer.', { ip: str('An IP address.'), hostname: str('A DNS name.'), ports: list(open('A port and its state.'), '') }),
    'The addresses at which the load balancer answers.',
  ),
});

const ingressBackend = object('Where matching requests go: a Service port, or another resource.', {
  service: object("A Service in the Ingress's namespace.", {
    name: str("The Service's name."),
    port: object('The Service port, by number or by name.', { number: int('The port number.'), name: str('The port name.') }),
  }),
  resource: open('A reference to another object in the namespace (instead of service).'),
});

// Named as the API server names them, so `kubectl explain` prints the types users know (<[]HTTPIngressPath>).
const ingressTls = object('TLS for some hosts.', {
  hosts: list(str(''), 'The host names the certificate is served for.'),
  secretName: str('The kubernetes.io/tls Secret holding the certificate and key.'),
});

const httpIngressPath = object(
  'One path and its backend.',
  {
    path: str('The path to match; must start with "/".'),
    pathType: str('Exact, Prefix (by path segments) or ImplementationSpecific (handled as Prefix by edgeway).', ['Exact', 'ImplementationSpecific', 'Prefix']),
    backend: ref(NET + 'IngressBackend', 'Where matching requests go.'),
  },
  ['pathType', 'backend'],
);

const httpIngressRuleValue = object('HTTP routes of the rule.', { paths: list(ref(NET + 'HTTPIngressPath'), 'Paths tried from the most specific.') }, [
  'paths',
]);

const ingressRule = object('Routes for one host (or every host when host is empty).', {
  host: str('The host name to match, exact or a one-label wildcard (*.example.com).'),
  http: ref(NET + 'HTTPIngressRuleValue', 'HTTP routes of the rule.'),
});

const ingressSpec = object('The routing rules of the Ingress.', {
  ingressClassName: str('The IngressClass that handles this Ingress; the default class when empty.'),
  defaultBackend: ref(NET + 'IngressBackend', 'Where requests go that no rule matches.'),
  tls: list(ref(NET + 'IngressTLS'), 'TLS termination for hosts of this Ingress.'),
  rules: list(ref(NET + 'IngressRule'), 'Host rules, matched before the default backend.'),
});

/** Every definition, by name. */
export const DEFINITIONS: Readonly<Record<string, Schema>> = {
  [META + 'ObjectMeta']: objectMeta,
  [CORE + 'ServicePort']: servicePort,
  [CORE + 'ServiceSpec']: serviceSpec,
  [CORE + 'LoadBalancerStatus']: loadBalancerStatus,
  [CORE + 'Service']: kindSchema(
    '',
    'v1',
    'Service',
    'A stable name and address for a set of endpoints, and how it is exposed (ClusterIP, NodePort, LoadBalancer, ExternalName).',
    {
      spec: ref(CORE + 'ServiceSpec', 'What the Service should be.'),
      status: object('What edgeway observed and allocated; read-only.', {
        loadBalancer: ref(CORE + 'LoadBalancerStatus', 'The external addresses of a LoadBalancer Service.'),
        conditions: list(open('A condition.'), '', ['type']),
      }),
    },
  ),
  [CORE + 'Endpoints']: kindSchema('', 'v1', 'Endpoints', 'The addresses and ports behind a Service, in subsets.', {
    subsets: list(open('Addresses (ready and not ready) that share a set of ports.'), 'The endpoint groups.'),
  }),
  [CORE + 'Pod']: kindSchema('', 'v1', 'Pod', 'A group of containers; edgeway uses pods as Service endpoints (labels, IP, readiness).', {
    spec: open('Containers, node and other settings of the pod.'),
    status: open('Phase, IPs, conditions and container states.'),
  }),
  [CORE + 'Node']: kindSchema('', 'v1', 'Node', 'A machine; its addresses and zone labels matter for NodePorts and locality.', {
    spec: open('Settings of the node.'),
    status: open('Addresses, conditions and node information.'),
  }),
  [CORE + 'Namespace']: kindSchema('', 'v1', 'Namespace', 'A scope for names.', {
    spec: open('Finalizers of the namespace.'),
    status: open('The phase (Active or Terminating).'),
  }),
  [CORE + 'Secret']: kindSchema('', 'v1', 'Secret', 'Sensitive data such as TLS certificates (type kubernetes.io/tls with tls.crt and tls.key).', {
    type: str('What the data holds, for example Opaque or kubernetes.io/tls.'),
    data: { type: 'object', description: 'Values, base64-encoded.', additionalProperties: { type: 'string', format: 'byte' } },
    stringData: strMap('Values as plain strings, merged into data on write.'),
    immutable: bool('When true, the data can no longer change.'),
  }),
  [CORE + 'ConfigMap']: kindSchema('', 'v1', 'ConfigMap', 'Configuration data as key/value pairs.', {
    data: strMap('Values as strings.'),
    binaryData: { type: 'object', description: 'Values as base64-encoded bytes.', additionalProperties: { type: 'string', format: 'byte' } },
    immutable: bool('When true, the data can no longer change.'),
  }),
  [NET + 'IngressBackend']: ingressBackend,
  [NET + 'IngressTLS']: ingressTls,
  [NET + 'HTTPIngressPath']: httpIngressPath,
  [NET + 'HTTPIngressRuleValue']: httpIngressRuleValue,
  [NET + 'IngressRule']: ingressRule,
  [NET + 'IngressSpec']: ingressSpec,
  [NET + 'Ingress']: kindSchema('networking.k8s.io', 'v1', 'Ingress', 'HTTP(S) routing by host and path to Services, with TLS by host.', {
    spec: ref(NET + 'IngressSpec', 'The routing rules.'),
    status: object('Where the Ingress is reachable; read-only.', { loadBalancer: open('The addresses of the Ingress.') }),
  }),
  [NET + 'IngressClass']: kindSchema(
    'networking.k8s.io',
    'v1',
    'IngressClass',
    'A class of Ingresses and the controller that handles them; the ingressclass.kubernetes.io/is-default-class annotation marks the default.',
    {
      spec: object('The controller and its parameters.', {
        controller: str("The controller name, such as edgeway's own."),
        parameters: open('A reference to an object with settings for the controller.'),
      }),
    },
  ),
  ['io.k8s.api.discovery.v1.EndpointSlice']: kindSchema(
    'discovery.k8s.io',
    'v1',
    'EndpointSlice',
    'A part of the endpoints of a Service (label kubernetes.io/service-name), with per-endpoint readiness and zone.',
    {
      addressType: str('IPv4, IPv6 or FQDN.', ['FQDN', 'IPv4', 'IPv6']),
      endpoints: list(open('One endpoint: addresses, conditions, zone, node.'), 'The endpoints of this slice.'),
      ports: list(open('A port: name, port, protocol, appProtocol.'), 'The ports every endpoint of the slice serves.'),
    },
  ),
  ['io.k8s.api.apps.v1.Deployment']: kindSchema(
    'apps',
    'v1',
    'Deployment',
    'Replicated pods from a template; served so that `kubectl expose deployment` finds the selector.',
    {
      spec: open('Replicas, selector and the pod template.'),
      status: open('Replica counts and conditions.'),
    },
  ),
  ['io.metallb.v1beta1.IPAddressPool']: kindSchema(
    'metallb.io',
    'v1beta1',
    'IPAddressPool',
    'Addresses that LoadBalancer Services are given, as MetalLB reads them.',
    {
      spec: object('The addresses and how they are handed out.', {
        addresses: list(str('A CIDR or a from-to range.'), 'The addresses of the pool.'),
        autoAssign: bool('Whether addresses are given to Services that did not ask for this pool. Defaults to true.'),
        avoidBuggyIPs: bool('Whether addresses ending in .0 and .255 are skipped.'),
        serviceAllocation: open('Which Services and namespaces the pool serves, and with what priority.'),
      }),
      status: open('Usage of the pool.'),
    },
  ),
};

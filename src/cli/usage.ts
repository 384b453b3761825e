/**
 * The usage text of every `edgeway` command, in one table: `edgeway --help` lists them all and `edgeway CMD --help`
 * prints its own, so the two can never disagree. No imports, so answering `--help` loads nothing else.
 */

export const COMMAND_USAGE = {
  serve: `usage: edgeway serve --config FILE [--config FILE2 ...] [--http HOST:PORT] [--https HOST:PORT]
                     [--admin HOST:PORT] [--state-dir DIR] [--log-level LEVEL] [--drain-timeout SECONDS]
                     [--workers N|auto] [--etcd-servers URL[,URL...]] [--etcd-prefix PREFIX]
                     [--etcd-cafile FILE] [--etcd-certfile FILE --etcd-keyfile FILE] [--replica-name NAME]
  run the gateway on Kubernetes manifests (a --config may name a directory of *.yaml files) until SIGTERM or
  SIGINT; SIGHUP reloads. --workers: data-plane processes (default spec.runtime.workers, auto = one per CPU).
  --etcd-servers shares state with other replicas in etcd (prefix default /edgeway); --replica-name defaults to
  the host name. Exit codes: 0 after a clean stop, 1 when the configuration cannot be used or a listener cannot be
  bound, 2 for bad usage.
`,
  demo: `usage: edgeway demo --config FILE [the other flags of edgeway serve]
  serve, plus a whoami backend for every loopback endpoint in the configuration
`,
  whoami: `usage: edgeway whoami [--listen HOST:PORT] [--name NAME]
  a demo backend that answers with its name, the request line and the headers it received
  (--listen defaults to 127.0.0.1:8081, --name to the host name)
`,
  certs: `usage: edgeway certs ca [--dir certs]
       edgeway certs issue --host a.example.com [--host '*.b.example.com'] [--days 90] [--key rsa|ecdsa]
                           [--name NAME] [--namespace NS] [--dir certs]
  make a local CA and certificates; issue prints a kubernetes.io/tls Secret
`,
  env: `usage: edgeway env --config FILE [--config FILE2 ...] [--state-dir DIR] [--namespace NS]
  print the Service environment variables a pod in NS (default: default) would get, in kubelet format, with the
  ClusterIPs edgeway serve holds (read from the state directory of the settings, or DIR)
`,
  get: `usage: edgeway get RESOURCE[,RESOURCE...] [NAME] [-n NS | -A] [-o wide|name|json|yaml] [--admin HOST:PORT]
  what a running edgeway serves, read from its Kubernetes-compatible API and printed exactly as kubectl get prints
  it (for machines without kubectl); --admin defaults to 127.0.0.1:9901
`,
  kubeconfig: `usage: edgeway kubeconfig [--config FILE ...] [--state-dir DIR] [--admin HOST:PORT]
  print a kubeconfig for kubectl: the admin API over HTTPS, its CA from the state directory, the admin token when
  one is configured, context edgeway (edgeway kubeconfig > ~/.kube/edgeway; KUBECONFIG=~/.kube/edgeway kubectl get svc)
`,
} as const;

export type CommandName = keyof typeof COMMAND_USAGE;

export const HELP = `usage: edgeway <command> [flags]
       edgeway <command> --help     the command's own usage
       edgeway --version

commands:
  serve   run the gateway on Kubernetes manifests
  demo    serve, plus a whoami backend for every loopback endpoint in the configuration
  whoami  a demo backend that answers with its name, the request line and the headers it received
  certs   make a local CA and certificates, print a kubernetes.io/tls Secret
  env     print the Service environment variables a pod would get (kubelet format)
  get     what a running edgeway serves, printed exactly as kubectl get prints it
  kubeconfig  print a kubeconfig with which kubectl talks to edgeway's admin API
`;

/** Whether argv asks for help: `--help` or `-h` before any `--` (after it, words are not flags). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

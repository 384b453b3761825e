#!/usr/bin/env node
/**
 * The `edgeway` command: dispatches to a subcommand. Each subcommand parses its own flags with node:util parseArgs
 * (built in, typed, and enough for flat flags: no dependency needed).
 */
import { runDemo } from './demo.ts';
import { runServe } from './serve.ts';
import { runWhoami } from './whoami.ts';

const HELP = `usage: edgeway <command> [flags]

commands:
  serve   --config FILE [--config FILE2 ...] [--http HOST:PORT] [--https HOST:PORT] [--admin HOST:PORT] [--state-dir DIR]
          run the gateway on Kubernetes manifests (a --config may name a directory of *.yaml files)
  demo    the same flags as serve; also starts a whoami backend for every loopback endpoint in the configuration
  whoami  --listen HOST:PORT [--name NAME]
          a demo backend that answers with its name, the request line and the headers it received
  certs   ca | issue --host NAME ...   make a local CA and certificates, print a kubernetes.io/tls Secret
  env     --config FILE [--namespace NS]
          print the Service environment variables a pod in NS would get (kubelet format)
  get     RESOURCE [NAME] [-n NS | -A] [-o wide|json|yaml] [--admin HOST:PORT]
          what a running edgeway serves, with status, as kubectl prints it (EXTERNAL-IP <pending> while waiting)
`;

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  serve: runServe,
  demo: runDemo,
  whoami: runWhoami,
  certs: async (argv) => (await import('./certs.ts')).runCerts([...argv]),
  env: async (argv) => (await import('./env.ts')).runEnv(argv),
  get: async (argv) => (await import('./get.ts')).runGet(argv),
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    process.stderr.write(`edgeway: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return 2;
  }
  return run(rest);
}

process.exitCode = await main(process.argv.slice(2));

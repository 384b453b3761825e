/**
 * The `edgeway` command behind the version check of main.ts: dispatches to a subcommand. Each subcommand parses its
 * own flags with node:util parseArgs (built in, typed, and enough for flat flags: no dependency needed); `--help`
 * is answered here for every command from one table (usage.ts), before any flag is parsed.
 */
import { runDemo } from './demo.ts';
import { runServe } from './serve.ts';
import { COMMAND_USAGE, HELP, wantsHelp, type CommandName } from './usage.ts';
import { runWhoami } from './whoami.ts';

const COMMANDS: Readonly<Record<CommandName, (argv: readonly string[]) => Promise<number>>> = {
  serve: runServe,
  demo: runDemo,
  whoami: runWhoami,
  certs: async (argv) => (await import('./certs.ts')).runCerts([...argv]),
  env: async (argv) => (await import('./env.ts')).runEnv(argv),
  get: async (argv) => (await import('./get.ts')).runGet(argv),
  kubeconfig: async (argv) => (await import('./kubeconfig.ts')).runKubeconfig(argv),
};

/** Runs `edgeway argv…`; resolves with the exit code. `version` is package.json's, read by main.ts. */
export async function runCli(argv: readonly string[], version: string): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`edgeway ${version}\n`);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    process.stderr.write(`edgeway: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return 2;
  }
  const name = command as CommandName;
  if (wantsHelp(rest)) {
    process.stdout.write(COMMAND_USAGE[name]);
    return 0;
  }
  return COMMANDS[name](rest);
}

import { describeError } from '../errors.ts';
import { renameSources, type SourceNames } from '../storage/uploads.ts';
import { evalPhotosCommand, EVAL_PHOTOS_USAGE } from './commands/eval-photos.ts';
import { evalCommand, EVAL_USAGE } from './commands/eval.ts';
import { estimateCommand, ESTIMATE_USAGE } from './commands/estimate.ts';
import { searchCommand, SEARCH_USAGE } from './commands/search.ts';
import { serveCommand, SERVE_USAGE } from './commands/serve.ts';

/** A command gets its flags, and a map to record the object URL of each file it uploads. */
type Command = (argv: readonly string[], names: SourceNames) => Promise<void>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  search: { run: searchCommand, usage: SEARCH_USAGE },
  eval: { run: evalCommand, usage: EVAL_USAGE },
  'eval-photos': { run: evalPhotosCommand, usage: EVAL_PHOTOS_USAGE },
  serve: { run: serveCommand, usage: SERVE_USAGE },
  estimate: { run: estimateCommand, usage: ESTIMATE_USAGE },
};

const HELP = `lambdaface: find people in long videos.

Commands:
${Object.entries(COMMANDS)
  .map(([, command]) => `  ${command.usage.split('\n')[0]}`)
  .join('\n')}

Run \`lambdaface <command> --help\` for details.`;

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`lambdaface: unknown command "${name}"\n\n${HELP}\n`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  const names: SourceNames = new Map();
  try {
    await command.run(rest, names);
    return 0;
  } catch (error) {
    // The workflow names the objects it read; the user knows the files they gave.
    process.stderr.write(`${renameSources(describeError(error), names)}\n`);
    if (process.env['LAMBDAFACE_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

// Lambda runs Node 22; the AWS SDK's notice that Node 20 support ends is noise for CLI users.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
process.exitCode = await main(process.argv.slice(2));

import { describeError } from '../errors.ts';
import { renameSources, type SourceNames } from '../storage/uploads.ts';

/** A command gets its flags, and a map to record the object URL of each file it uploads. */
type Command = (argv: readonly string[], names: SourceNames) => Promise<void>;

// Each command's module is imported only when that command runs: together they pull in the AWS
// SDK, the workflow engine, the S3 server, the models and the evaluation code, which took a
// search over a second to load for nothing.
const COMMANDS: Record<string, () => Promise<{ run: Command; usage: string }>> = {
  search: async () => {
    const { searchCommand, SEARCH_USAGE } = await import('./commands/search.ts');
    return { run: searchCommand, usage: SEARCH_USAGE };
  },
  eval: async () => {
    const { evalCommand, EVAL_USAGE } = await import('./commands/eval.ts');
    return { run: evalCommand, usage: EVAL_USAGE };
  },
  'eval-photos': async () => {
    const { evalPhotosCommand, EVAL_PHOTOS_USAGE } = await import('./commands/eval-photos.ts');
    return { run: evalPhotosCommand, usage: EVAL_PHOTOS_USAGE };
  },
  serve: async () => {
    const { serveCommand, SERVE_USAGE } = await import('./commands/serve.ts');
    return { run: serveCommand, usage: SERVE_USAGE };
  },
  estimate: async () => {
    const { estimateCommand, ESTIMATE_USAGE } = await import('./commands/estimate.ts');
    return { run: estimateCommand, usage: ESTIMATE_USAGE };
  },
};

async function help(): Promise<string> {
  const usages = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).usage));
  return `lambdaface: find people in long videos.

Commands:
${usages.map((usage) => `  ${usage.split('\n')[0]}`).join('\n')}

Run \`lambdaface <command> --help\` for details.`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await help()}\n`);
    return name === undefined ? 1 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`lambdaface: unknown command "${name}"\n\n${await help()}\n`);
    return 1;
  }
  const command = await load();
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
const code = await main(process.argv.slice(2));
// Whatever the command started is closed by now, and Node writes stdout and stderr synchronously on
// Linux (the platform of lambdaface's ffmpeg builds): exiting here spares tearing down the heap,
// page by page, which the user would wait for after the last line.
process.exit(code);

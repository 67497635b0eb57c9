// The CLI built into plain JavaScript, kept while its sources are unchanged. Loading the TypeScript
// sources through tsx costs every start of the CLI, and every handler thread it starts, a loader
// thread of its own and a transform of each module (about half a second each, and as long again
// to tear them down at exit); a build made once runs without either. Plain JavaScript: it decides
// whether tsx is needed at all.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Under the checkout's node_modules, so the build's imports of packages resolve as the sources' do. */
const CACHE = join(ROOT, 'node_modules', '.cache', 'lambdaface', 'cli');
/**
 * What the CLI and the handler threads start from: every handler (functions/<name>/handler.ts),
 * since the threads import them by name (handler-worker.ts).
 */
function entryPoints() {
  const handlers = readdirSync(join(ROOT, 'functions'))
    .filter((name) => existsSync(join(ROOT, 'functions', name, 'handler.ts')))
    .map((name) => `functions/${name}/handler.ts`);
  return ['shared/cli/main.ts', 'tools/models-check/on-demand-once.ts', 'shared/local/handler-worker.ts', ...handlers];
}
/**
 * Read by esbuild besides the sources (the lock file pins the packages built in), and the
 * functions folder, whose stamp changes when a handler is added.
 */
const CONFIG_FILES = ['tsconfig.json', 'package.json', 'package-lock.json', 'bin/built-cli.js', 'functions'];
/**
 * Packages left to Node to load: native ones (ONNX Runtime, sharp), the build tools, and the
 * converter's protobuf code. Every other package is built in: resolving and reading the hundreds
 * of files of the AWS SDK, s3rver and the rest took as long as the transform.
 */
const EXTERNAL = ['onnxruntime-node', 'sharp', 'esbuild', 'tsx', 'tsx/*', 'onnx-proto'];
/** Packages built in that are CommonJS call require(), which an ES module has to make. */
const REQUIRE = "import { createRequire as lambdafaceCreateRequire } from 'node:module'; const require = lambdafaceCreateRequire(import.meta.url);";

/** A file's identity and times (proven-cache.ts's fileStamp): any write to it changes its change time. */
function stamp(path) {
  try {
    const stat = statSync(path, { bigint: true });
    return [stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].join(':');
  } catch {
    return 'missing';
  }
}

/**
 * The file whose stamp stands for an input: itself for the project's sources; for a package's
 * file, the package's manifest (an install that changes the package rewrites it), so a start
 * checks a few dozen packages rather than each of their thousand files.
 */
function stampedFile(path) {
  const inPackage = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
  return inPackage ? join(inPackage[1], 'package.json') : path;
}

const stampsOf = (paths) => Object.fromEntries(paths.map((path) => [path, stamp(path)]));

/** This checkout's builds: a folder per build, and `latest`, naming the one last made. */
const checkoutDir = () => join(CACHE, createHash('sha256').update(ROOT).digest('hex').slice(0, 16));

/** The folder of the latest build if every file it was made from is unchanged since. */
function currentBuild() {
  try {
    const dir = join(checkoutDir(), readFileSync(join(checkoutDir(), 'latest'), 'utf-8').trim());
    const { stamps } = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf-8'));
    const unchanged = Object.entries(stamps).every(([path, was]) => stamp(path) === was);
    return unchanged && existsSync(join(dir, 'shared/cli/main.js')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rewrites `import.meta.url` in each source to the source's own URL: paths found relative to it
 * (the models, the state machine, fonts, the handlers) stay those of the checkout.
 */
const sourceUrls = {
  name: 'source-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf-8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

/** Builds the CLI into a new folder and makes it the latest; undefined when esbuild is not installed or fails. */
async function build() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined; // an install without dev dependencies: tsx it is
  }
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const building = join(checkoutDir(), `${id}.tmp`);
  const started = Date.now();
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: entryPoints(),
      outbase: '.',
      outdir: building,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      banner: { js: REQUIRE },
      metafile: true,
      logLevel: 'silent',
      plugins: [sourceUrls],
    });
    const inputs = [...new Set([...Object.keys(result.metafile.inputs).map((input) => stampedFile(join(ROOT, input))), ...CONFIG_FILES.map((file) => join(ROOT, file))])];
    const stamps = stampsOf(inputs);
    // A source written to while it was built may be in the build as it was before: not kept for the next start.
    const edited = inputs.some((path) => existsSync(path) && statSync(path).mtimeMs >= started);
    writeFileSync(join(building, 'inputs.json'), JSON.stringify({ stamps }));
    const dir = join(checkoutDir(), id);
    renameSync(building, dir);
    if (!edited) {
      writeFileSync(join(checkoutDir(), `latest.${process.pid}`), id);
      renameSync(join(checkoutDir(), `latest.${process.pid}`), join(checkoutDir(), 'latest'));
      removeOldBuilds(id);
    }
    return dir;
  } catch {
    rmSync(building, { recursive: true, force: true });
    return undefined;
  }
}

/** Builds older than a day: no CLI still running can be using them. */
function removeOldBuilds(keep) {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of readdirSync(checkoutDir())) {
    const path = join(checkoutDir(), entry);
    if (entry === keep || entry.startsWith('latest')) continue;
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // another CLI removed it first
    }
  }
}

/**
 * The folder of a build of the CLI from the current sources (made now if there is none), or
 * undefined when none can be made here (no esbuild, a read-only checkout): then the CLI runs
 * from its sources through tsx, as before.
 */
export async function builtCli() {
  if (process.env['LAMBDAFACE_FROM_SOURCES']) return undefined;
  const current = currentBuild();
  if (current) return current;
  try {
    mkdirSync(checkoutDir(), { recursive: true });
  } catch {
    return undefined;
  }
  return build();
}

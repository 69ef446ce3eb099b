// The start of every hub CLI. Each package's committed `bin/<cli>.js` is two lines that call
// `launchCli`, so the check lives here once: it refuses an unsupported Node in one line before
// anything that needs a newer one is loaded, then runs the package's built entry (`dist/<entry>.js`),
// or, in a source checkout that has not been built yet, its TypeScript source (`src/<entry>.ts`).
// Plain JavaScript with no dependencies, so any Node that has ES modules can run it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The oldest Node every published @hub package supports (their `engines.node`). */
export const MIN_NODE_VERSION = '22.19';

/** The one line to print when `found` is older than MIN_NODE_VERSION, or undefined when it is new enough. */
export function nodeVersionProblem(cli, found) {
  const [major = 0, minor = 0] = String(found).split('.').map(Number);
  const [needMajor, needMinor] = MIN_NODE_VERSION.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `${cli}: Node ${found} found, Node >= ${MIN_NODE_VERSION} required (install Node 24 LTS, or run it through the repository's npm scripts, which use its Node 24)`;
}

/**
 * Checks the Node version (exit 2 with one line when it is too old), then imports the CLI entry
 * next to the calling bin: `../dist/<entry>.js`, else `../src/<entry>.ts` with the @hub/source
 * condition (a workspace checkout before its first build), else one line saying what to run.
 */
export async function launchCli(cli, binUrl, entry = 'cli') {
  const problem = nodeVersionProblem(cli, process.versions.node);
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exitCode = 2;
    return;
  }
  const built = new URL(`../dist/${entry}.js`, binUrl);
  const source = fileURLToPath(new URL(`../src/${entry}.ts`, binUrl));
  // Node strips types natively (>= 22.18) but never inside node_modules, so this is only for checkouts.
  const checkout = existsSync(source) && !source.split(/[\\/]/).includes('node_modules');
  if (existsSync(fileURLToPath(built))) {
    try {
      await import(built.href);
      return;
    } catch (error) {
      // A checkout whose build is partial (another package's dist/ missing or being rebuilt): say so in
      // one line. Not retried from source: a lazy import may fail after the command has started.
      if (!(checkout && isMissingBuild(error))) throw error;
      process.stderr.write(
        `${cli}: the build is incomplete (${error.url ?? 'a dist/ file'} is missing); run npm run build at the repository root\n`,
      );
      process.exitCode = 2;
      return;
    }
  }
  if (checkout) {
    const { registerHooks } = await import('node:module');
    registerHooks({
      resolve: (specifier, context, next) =>
        next(specifier, { ...context, conditions: [...context.conditions, '@hub/source'] }),
    });
    await import(new URL(`../src/${entry}.ts`, binUrl).href);
    return;
  }
  process.stderr.write(
    `${cli}: ${fileURLToPath(built)} is missing; build it first (npm run build at the repository root)\n`,
  );
  process.exitCode = 2;
}

function isMissingBuild(error) {
  return error?.code === 'ERR_MODULE_NOT_FOUND' && /[\\/]dist[\\/]/.test(String(error.url ?? error.message));
}

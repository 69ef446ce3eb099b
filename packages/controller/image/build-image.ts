// Builds the hub-controller image with buildah (no Docker engine needed) and optionally pushes it.
//   node --conditions=@hub/source packages/controller/image/build-image.ts [--tag T] [--push REF] [--plain-http]
// Prints one JSON summary line on stdout: { image, tag, context, bytes, pushed? }.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = import.meta.dirname;
const packageDir = join(here, '..');

/** The shared libraries a binary links, as `ldd` resolves them on this machine. */
function linkedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const match = /=>\s+(\/\S+)|^\s*(\/\S+)\s+\(/.exec(line);
    const path = match?.[1] ?? match?.[2];
    if (path) libs.push(path);
  }
  return libs;
}

function copyInto(root: string, path: string, as = path): void {
  const target = join(root, as);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(path), target);
}

/** The runtime base: node, the libraries it links, CA certificates, a passwd entry. */
function assembleBase(root: string, node: string): string[] {
  copyInto(root, node, '/usr/local/bin/node');
  // The official binary keeps its symbol table; stripping saves ~13 MB and changes nothing at run time.
  if (hasCommand('strip')) execFileSync('strip', [join(root, 'usr/local/bin/node')]);
  const manifest = [`node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`];
  for (const lib of linkedLibraries(node)) {
    copyInto(root, lib);
    manifest.push(lib);
  }
  copyInto(root, '/etc/ssl/certs/ca-certificates.crt');
  writeFileSync(
    join(root, 'etc/passwd'),
    'root:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n',
  );
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnonroot:x:65532:\n');
  mkdirSync(join(root, 'tmp'), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  writeFileSync(join(root, 'MANIFEST'), `${manifest.join('\n')}\n`);
  return manifest;
}

/** hub-controller and hub-index as single ES modules with every dependency inlined. */
async function bundleApp(root: string): Promise<void> {
  await build({
    entryPoints: {
      'hub-controller': join(packageDir, 'src/cli.ts'),
      'hub-index': join(packageDir, 'src/hub-index/cli.ts'),
    },
    outdir: root,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    conditions: ['@hub/source'],
    minify: true,
    legalComments: 'linked',
    // CommonJS dependencies inside an ES module bundle still call require().
    banner: {
      js: "import { createRequire as __hubRequire } from 'node:module'; const require = __hubRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

function buildah(args: string[], storage: string): string {
  return execFileSync(
    'buildah',
    ['--storage-driver', 'vfs', '--root', join(storage, 'root'), '--runroot', join(storage, 'run'), ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

export async function buildImage(options: {
  tag: string;
  push?: string;
  plainHttp?: boolean;
  storage?: string;
}) {
  const context = mkdtempSync(join(tmpdir(), 'hub-image-'));
  const node = process.execPath;
  assembleBase(join(context, 'base'), node);
  await bundleApp(join(context, 'app'));
  copyFileSync(join(here, 'Containerfile'), join(context, 'Containerfile'));
  const storage = options.storage ?? join(tmpdir(), 'hub-buildah');
  buildah(
    [
      'bud',
      '--isolation',
      'chroot',
      '--layers',
      '-f',
      join(context, 'Containerfile'),
      '-t',
      options.tag,
      context,
    ],
    storage,
  );
  const bytes = ['base', 'app'].reduce((sum, dir) => sum + duSync(join(context, dir)), 0);
  let pushed: string | undefined;
  if (options.push) {
    buildah(
      ['push', ...(options.plainHttp ? ['--tls-verify=false'] : []), options.tag, `docker://${options.push}`],
      storage,
    );
    pushed = options.push;
  }
  return { image: options.tag, context, bytes, ...(pushed ? { pushed } : {}) };
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function duSync(path: string): number {
  const out = execFileSync('du', ['-sb', path], { encoding: 'utf8' });
  return Number(out.split('\t')[0]);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      tag: { type: 'string', default: 'localhost/hub-controller:dev' },
      push: { type: 'string' },
      'plain-http': { type: 'boolean', default: false },
    },
  });
  const summary = await buildImage({
    tag: values.tag ?? 'localhost/hub-controller:dev',
    ...(values.push ? { push: values.push } : {}),
    plainHttp: values['plain-http'] ?? false,
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

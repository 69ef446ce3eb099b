// Run after `npm install` changes package-lock.json: `node scripts/complete-lockfile.ts`.
//
// Why: the npm registry this project's machines reach serves only the linux/x64 and linux/arm64 builds of
// platform-specific optional packages (biome, nx, rollup); the others answer 404. `npm install` then leaves
// them out of the lockfile, and `npm ci` rejects that lockfile as out of sync. This adds the missing entries
// with their os/cpu/libc, which npm reads to skip them on every other platform, so `npm ci` works here and
// elsewhere (where npm fetches them by version; entries carry no `resolved`, as this project's lockfiles
// never do). Names it cannot place on a platform make it fail loudly rather than guess.
import { readFileSync, writeFileSync } from 'node:fs';

type LockEntry = {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
};
type Lockfile = { packages: Record<string, LockEntry> };

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openbsd',
  'openharmony',
  'win32',
  'sunos',
  'aix',
  'netbsd',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el'];

function platformOf(name: string): Pick<LockEntry, 'os' | 'cpu' | 'libc'> | undefined {
  const tokens = (name.split('/').pop() ?? name).split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.find((t) => CPU.includes(t));
  if (!os || !cpu) return undefined;
  const entry: Pick<LockEntry, 'os' | 'cpu' | 'libc'> = { os: [os], cpu: [cpu] };
  if (os === 'linux') {
    const last = tokens.at(-1) ?? '';
    if (last.startsWith('musl')) entry.libc = ['musl'];
    else if (last.startsWith('gnu')) entry.libc = ['glibc'];
  }
  return entry;
}

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8')) as Lockfile;
const added: string[] = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    // npm places them beside their parent, or hoisted to the root node_modules.
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!platform) throw new Error(`complete-lockfile: cannot tell the platform of ${name}; add it by hand`);
    lock.packages[`node_modules/${name}`] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added.push(`${name}@${version}`);
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b, 'en')),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  added.length ? `added ${added.length} platform entries:\n  ${added.join('\n  ')}` : 'lockfile complete',
);

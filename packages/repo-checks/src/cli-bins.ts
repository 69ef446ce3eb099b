import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One CLI a workspace package declares in its package.json `bin`. */
export interface CliBin {
  /** The command name (`hub-save`). */
  name: string;
  /** Package directory relative to the repository root (`packages/image-save`). */
  packageDir: string;
  packageName: string;
  /** The bin path as package.json states it (`./bin/hub-save.js`). */
  target: string;
  private: boolean;
  engines: string | undefined;
  files: string[] | undefined;
}

interface PackageJson {
  name: string;
  private?: boolean;
  bin?: string | Record<string, string>;
  engines?: { node?: string };
  files?: string[];
}

/** Every CLI of every package under `<root>/packages`, so CLIs added later are checked too. */
export function listCliBins(root: string): CliBin[] {
  const bins: CliBin[] = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
    const entries =
      typeof pkg.bin === 'string'
        ? [[pkg.name.replace(/^@.*\//, ''), pkg.bin] as const]
        : Object.entries(pkg.bin ?? {});
    for (const [name, target] of entries)
      bins.push({
        name,
        packageDir: `packages/${dir}`,
        packageName: pkg.name,
        target,
        private: pkg.private === true,
        engines: pkg.engines?.node,
        files: pkg.files,
      });
  }
  return bins;
}

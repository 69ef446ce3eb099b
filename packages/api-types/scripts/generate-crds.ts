// Writes crds/*.yaml from the zod schemas; with --check, exits 1 when the committed files differ.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrdFiles } from './crd-files.ts';

const dir = join(import.meta.dirname, '..', 'crds');
const check = process.argv.includes('--check');
const files = renderCrdFiles();
const stale: string[] = [];

for (const [name, text] of files) {
  const path = join(dir, name);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  stale.push(name);
  if (!check) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, text);
  }
}
const extra = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml') && !files.has(f)) : [];

if (check) {
  if (stale.length > 0 || extra.length > 0) {
    console.error(
      `CRDs drifted from the zod schemas: ${[...stale, ...extra].join(', ')}. Run \`npm run generate -w packages/api-types\` and commit crds/.`,
    );
    process.exit(1);
  }
  console.log(`crds/ is up to date (${files.size} files).`);
} else {
  console.log(stale.length > 0 ? `wrote ${stale.join(', ')}` : 'crds/ already up to date');
  if (extra.length > 0) console.warn(`not generated, remove by hand: ${extra.join(', ')}`);
}

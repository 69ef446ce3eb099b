// Save images into a directory that `docker-registry serve` can serve, and print what happened.
//   node --conditions=@hub/source src/save-images.ts <dir> <image>... [--plain-http host:port]
import { parseArgs } from 'node:util';
import { type SaveImagesResult, saveImages } from '@hub/image-save';
import { RegistryStorage } from '@hub/image-save/storage';

/** Saves `images` into `dir` and returns the result plus the repositories now in the directory. */
export async function saveToDirectory(
  dir: string,
  images: string[],
  plainHttp: string[] = [],
): Promise<SaveImagesResult & { repositories: string[] }> {
  const result = await saveImages({
    images,
    dir,
    plainHttp,
    allPlatforms: true,
    onEvent: (e) => {
      if (e.type === 'image-done')
        console.log(`${e.status}: ${e.reference}${e.error ? ` (${e.error.message})` : ''}`);
    },
  });
  const repositories = await new RegistryStorage(dir).listRepositories();
  return { ...result, repositories };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'plain-http': { type: 'string', multiple: true } },
  });
  const [dir, ...images] = positionals;
  if (!dir || images.length === 0) {
    console.error('usage: save-images.ts <dir> <image>... [--plain-http host:port]');
    process.exit(2);
  }
  const { summary, repositories } = await saveToDirectory(dir, images, values['plain-http'] ?? []);
  console.log(`saved ${summary.saved}/${summary.images}; repositories: ${repositories.join(', ')}`);
  process.exitCode = summary.failed === 0 ? 0 : 1;
}

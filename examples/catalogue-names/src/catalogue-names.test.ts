import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeImages, gridDataPack } from './catalogue-names.ts';

describe('catalogue-names example', () => {
  it('derives names, labels and a DataPack', () => {
    const entries = describeImages(['labring/mysql:v8.0.31', 'a.b/c:d', 'nginx', 'Labring/x']);
    expect(entries[0]).toMatchObject({
      reference: 'docker.io/labring/mysql:v8.0.31',
      hubName: 'labring/mysql:v8.0.31',
      imageName: 'labring.mysql.v8.0.31',
      repositoryName: 'labring.mysql',
      labels: { 'tag.imagehub.sealos.io': 'v8.0.31' },
    });
    expect(entries[1]?.imageName).toMatch(/^a\.b\.c\.d--[0-9a-f]{16}$/);
    expect(entries[2]?.hubName).toBe('library/nginx:latest');
    expect(entries[3]?.error).toMatch(/^UPPERCASE: /);
    const { pack, specHash, legacyName } = gridDataPack(entries);
    expect(pack.spec).toMatchObject({ type: 'grid', expireTime: '2h' });
    expect(pack.metadata.name).toBe(`datapack-grid-${specHash.slice(0, 32)}`);
    expect(legacyName).toMatch(/^[0-9a-f]{32}$/);
  });

  it('runs as a script', () => {
    const node = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'node');
    const out = execFileSync(
      node,
      ['--conditions=@hub/source', join(import.meta.dirname, 'catalogue-names.ts')],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toContain('"imageName": "labring.mysql.v8.0.31"');
    expect(out).toContain('"kind": "DataPack"');
  });
});

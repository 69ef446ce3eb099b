import { describe, expect, it } from 'vitest';
import { keptHostComponent, keptHostRepository } from './kept-host-repository.ts';
import { isValidRepositoryName } from './storage/layout.ts';

describe('keptHostRepository: one naming rule for kept registry hosts', () => {
  it.each([
    ['docker.io', 'library/nginx', 'docker.io/library/nginx'],
    ['127.0.0.1:5000', 'team/app', '127.0.0.1_5000/team/app'],
    ['Registry.Example.com:443', 'a/b', 'registry.example.com_443/a/b'],
    ['localhost:5000', 'x', 'localhost_5000/x'],
    ['[::1]:5000', 'x', '0000-0000-0000-0000-0000-0000-0000-0001_5000/x'],
    ['[fe80::a:b]', 'x', 'fe80-0000-0000-0000-0000-0000-000a-000b/x'],
  ])('%s + %s → %s, a name the stock registry accepts', (host, repository, expected) => {
    const name = keptHostRepository(host, repository);
    expect(name).toBe(expected);
    // The distribution grammar without any host exception: every component is a plain path component.
    for (const part of name.split('/')) expect(part).toMatch(/^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*$/);
    expect(isValidRepositoryName(name)).toBe(true);
  });

  it('maps containerd mirror ?ns= values onto the same component', () => {
    expect(keptHostComponent('docker.io')).toBe('docker.io');
    expect(keptHostComponent('127.0.0.1:5000')).toBe('127.0.0.1_5000');
    expect(keptHostComponent('not a host')).toBeUndefined();
    expect(keptHostComponent('[1::2::3]')).toBeUndefined();
  });
});

import { parseImageHubName } from '@hub/api-types';

/**
 * Which DataPacks cover which Images, Repositories and Organizations, so a change to one of those
 * requeues exactly the packs that read it (the original refreshed every pack once a minute instead).
 */
export class CoverageIndex {
  readonly #byImage = new Map<string, Set<string>>();
  readonly #byRepository = new Map<string, Set<string>>();
  readonly #byOrganization = new Map<string, Set<string>>();
  readonly #keysOf = new Map<string, string[]>();

  /** Records the names a pack reads (replacing what it read before). */
  set(pack: string, names: readonly string[]): void {
    this.delete(pack);
    const keys: string[] = [];
    for (const name of names) {
      const parsed = parseImageHubName(name);
      if (!parsed.success) continue;
      const repository = `${parsed.data.organization}/${parsed.data.repository}`;
      keys.push(`i:${name}`, `r:${repository}`, `o:${parsed.data.organization}`);
    }
    const unique = [...new Set(keys)];
    for (const key of unique) this.#add(key, pack);
    this.#keysOf.set(pack, unique);
  }

  delete(pack: string): void {
    for (const key of this.#keysOf.get(pack) ?? []) {
      const map = this.#mapOf(key);
      const set = map.get(key.slice(2));
      set?.delete(pack);
      if (set?.size === 0) map.delete(key.slice(2));
    }
    this.#keysOf.delete(pack);
  }

  image(name: string): readonly string[] {
    return [...(this.#byImage.get(name) ?? [])];
  }

  repository(name: string): readonly string[] {
    return [...(this.#byRepository.get(name) ?? [])];
  }

  organization(name: string): readonly string[] {
    return [...(this.#byOrganization.get(name) ?? [])];
  }

  #mapOf(key: string): Map<string, Set<string>> {
    return key.startsWith('i:')
      ? this.#byImage
      : key.startsWith('r:')
        ? this.#byRepository
        : this.#byOrganization;
  }

  #add(key: string, pack: string): void {
    const map = this.#mapOf(key);
    const name = key.slice(2);
    let set = map.get(name);
    if (set === undefined) {
      set = new Set();
      map.set(name, set);
    }
    set.add(pack);
  }
}

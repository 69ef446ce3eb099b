import {
  type Image,
  KEYWORD_LABEL_PREFIX,
  lookupKeyword,
  type Organization,
  parseImageHubName,
  type Repository,
} from '@hub/api-types';
import type { CatalogueObject, CatalogueReader, RepositoryFilter } from './catalogue-reader.ts';
import { latestTagOf } from './tags.ts';

/** A change applied to a {@link CatalogueStore}. */
export interface CatalogueChange {
  type: 'upsert' | 'remove';
  object: CatalogueObject;
}

/** The indexed in-memory catalogue: a {@link CatalogueReader} that is fed objects. */
export interface CatalogueStore extends CatalogueReader {
  /** Adds or replaces an object (matched by kind and `metadata.name`). */
  upsert(object: CatalogueObject): void;
  /** Removes an object (matched by kind and `metadata.name`). */
  remove(object: CatalogueObject): void;
  /** Replaces every object of one kind (after a relist). */
  replaceAll(kind: CatalogueObject['kind'], objects: readonly CatalogueObject[]): void;
  /** Called after each change; returns an unsubscribe function. */
  subscribe(listener: (change: CatalogueChange) => void): () => void;
  /** Object counts per kind. */
  size(): { images: number; repositories: number; organizations: number };
}

// Several objects may claim one spec.name (the server does not enforce derived metadata names):
// keep them all and answer with the smallest metadata.name, so reads are deterministic.
class ByName<T extends CatalogueObject> {
  readonly byMeta = new Map<string, T>();
  readonly bySpec = new Map<string, Map<string, T>>();

  set(object: T): T | undefined {
    const meta = object.metadata.name ?? '';
    const previous = this.byMeta.get(meta);
    if (previous !== undefined) this.delete(previous);
    this.byMeta.set(meta, object);
    const spec = object.spec.name;
    let claims = this.bySpec.get(spec);
    if (claims === undefined) {
      claims = new Map();
      this.bySpec.set(spec, claims);
    }
    claims.set(meta, object);
    return previous;
  }

  delete(object: T): T | undefined {
    const meta = object.metadata.name ?? '';
    const stored = this.byMeta.get(meta);
    if (stored === undefined) return undefined;
    this.byMeta.delete(meta);
    const claims = this.bySpec.get(stored.spec.name);
    claims?.delete(meta);
    if (claims?.size === 0) this.bySpec.delete(stored.spec.name);
    return stored;
  }

  get(spec: string): T | undefined {
    const claims = this.bySpec.get(spec);
    if (claims === undefined) return undefined;
    if (claims.size === 1) return claims.values().next().value;
    const first = [...claims.keys()].sort()[0];
    return first === undefined ? undefined : claims.get(first);
  }
}

function repositoryOfImage(image: Image): string | undefined {
  const parsed = parseImageHubName(image.spec.name);
  return parsed.success ? `${parsed.data.organization}/${parsed.data.repository}` : undefined;
}

function organizationOfRepository(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

function addToSet(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (set === undefined) {
    set = new Set();
    index.set(key, set);
  }
  set.add(value);
}

function removeFromSet(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  set?.delete(value);
  if (set?.size === 0) index.delete(key);
}

/** The store's objects and the indexes over them, which the functions below keep in step. */
interface Indexes {
  readonly images: ByName<Image>;
  readonly repositories: ByName<Repository>;
  readonly organizations: ByName<Organization>;
  readonly imagesByRepository: Map<string, Set<string>>; // org/repo → image spec names
  readonly reposByOrganization: Map<string, Set<string>>; // org → repo spec names
  readonly reposByKeyword: Map<string, Set<string>>; // lower-case keyword → repo spec names
  readonly keywordsOf: Map<string, string[]>; // repo spec name → canonical keywords
}

function imagesOf(ix: Indexes, repository: string): Image[] {
  const names = ix.imagesByRepository.get(repository);
  if (names === undefined) return [];
  const found: Image[] = [];
  for (const name of names) {
    const image = ix.images.get(name);
    if (image !== undefined) found.push(image);
  }
  return found;
}

// A repository's keywords: its keyword labels plus the latest Image's keywords (vocabulary
// keywords in canonical case, others as written), so an unreconciled repository is findable too.
function computeKeywords(ix: Indexes, name: string): string[] {
  const repository = ix.repositories.get(name);
  const keywords: string[] = [];
  const add = (value: string): void => {
    const canonical = lookupKeyword(value) ?? value.trim();
    if (canonical !== '' && !keywords.some((k) => k.toLowerCase() === canonical.toLowerCase())) {
      keywords.push(canonical);
    }
  };
  // A keywords edit made in the hub replaces what labels and Images say (the labels follow Images).
  const override = repository?.spec.keywords;
  if (Array.isArray(override)) {
    for (const keyword of override) add(keyword);
    return keywords;
  }
  for (const key of Object.keys(repository?.metadata.labels ?? {})) {
    if (key.startsWith(KEYWORD_LABEL_PREFIX)) add(key.slice(KEYWORD_LABEL_PREFIX.length));
  }
  const latest = latestTagOf(repository, imagesOf(ix, name));
  const latestImage = latest === null ? undefined : (ix.images.get(`${name}:${latest.name}`) ?? undefined);
  for (const keyword of latestImage?.spec.detail.keywords ?? []) add(keyword);
  return keywords;
}

function reindexKeywords(ix: Indexes, name: string): void {
  for (const keyword of ix.keywordsOf.get(name) ?? [])
    removeFromSet(ix.reposByKeyword, keyword.toLowerCase(), name);
  ix.keywordsOf.delete(name);
  if (ix.repositories.get(name) === undefined && imagesOf(ix, name).length === 0) return;
  const keywords = computeKeywords(ix, name);
  ix.keywordsOf.set(name, keywords);
  for (const keyword of keywords) addToSet(ix.reposByKeyword, keyword.toLowerCase(), name);
}

function indexRepository(ix: Indexes, name: string): void {
  const organization = organizationOfRepository(name);
  if (ix.repositories.get(name) === undefined) removeFromSet(ix.reposByOrganization, organization, name);
  else addToSet(ix.reposByOrganization, organization, name);
  reindexKeywords(ix, name);
}

/** Stores or drops one object and re-indexes what it touches (its repository, the old one's too). */
function apply(ix: Indexes, type: 'upsert' | 'remove', object: CatalogueObject): void {
  switch (object.kind) {
    case 'Image': {
      const previous = type === 'upsert' ? ix.images.set(object) : ix.images.delete(object);
      for (const image of [previous, type === 'upsert' ? object : undefined]) {
        if (image === undefined) continue;
        const repository = repositoryOfImage(image);
        if (repository === undefined) continue;
        if (ix.images.get(image.spec.name) === undefined)
          removeFromSet(ix.imagesByRepository, repository, image.spec.name);
        else addToSet(ix.imagesByRepository, repository, image.spec.name);
        reindexKeywords(ix, repository);
      }
      break;
    }
    case 'Repository': {
      const previous = type === 'upsert' ? ix.repositories.set(object) : ix.repositories.delete(object);
      if (previous !== undefined && previous.spec.name !== object.spec.name)
        indexRepository(ix, previous.spec.name);
      indexRepository(ix, object.spec.name);
      break;
    }
    case 'Organization':
      if (type === 'upsert') ix.organizations.set(object);
      else ix.organizations.delete(object);
      break;
  }
}

/** The repositories a filter selects, from the narrowest index that answers it, sorted by name. */
function listRepositories(ix: Indexes, filter: RepositoryFilter): Repository[] {
  let names: Iterable<string>;
  if (filter.keyword !== undefined) names = ix.reposByKeyword.get(filter.keyword.toLowerCase()) ?? [];
  else if (filter.organization !== undefined) names = ix.reposByOrganization.get(filter.organization) ?? [];
  else names = ix.repositories.bySpec.keys();
  const found: Repository[] = [];
  for (const name of names) {
    if (filter.organization !== undefined && organizationOfRepository(name) !== filter.organization) continue;
    const repository = ix.repositories.get(name);
    if (repository !== undefined) found.push(repository);
  }
  return found.sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
}

/**
 * Creates an empty catalogue store with indexes by organization, repository (Images of a
 * repository) and keyword (lower-cased). Lookups are O(1); listings are O(result).
 */
export function createCatalogueStore(): CatalogueStore {
  const ix: Indexes = {
    images: new ByName<Image>(),
    repositories: new ByName<Repository>(),
    organizations: new ByName<Organization>(),
    imagesByRepository: new Map(),
    reposByOrganization: new Map(),
    reposByKeyword: new Map(),
    keywordsOf: new Map(),
  };
  const { images, repositories, organizations } = ix;
  const listeners = new Set<(change: CatalogueChange) => void>();
  let revision = 0;

  function notify(change: CatalogueChange): void {
    revision += 1;
    for (const listener of listeners) listener(change);
  }

  const store: CatalogueStore = {
    get revision() {
      return revision;
    },
    image: (name) => images.get(name),
    repository: (name) => repositories.get(name),
    organization: (name) => organizations.get(name) ?? organizations.byMeta.get(name),
    repositories: (filter: RepositoryFilter = {}) => listRepositories(ix, filter),
    images: (repository) => imagesOf(ix, repository),
    keywords: (repository) => ix.keywordsOf.get(repository) ?? [],
    upsert(object) {
      apply(ix, 'upsert', object);
      notify({ type: 'upsert', object });
    },
    remove(object) {
      apply(ix, 'remove', object);
      notify({ type: 'remove', object });
    },
    replaceAll(kind, objects) {
      const current =
        kind === 'Image' ? images.byMeta : kind === 'Repository' ? repositories.byMeta : organizations.byMeta;
      const keep = new Set(objects.map((o) => o.metadata.name ?? ''));
      for (const [meta, object] of [...current]) {
        if (!keep.has(meta)) store.remove(object);
      }
      for (const object of objects) {
        if (object.kind === kind) store.upsert(object);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    size: () => ({
      images: images.byMeta.size,
      repositories: repositories.byMeta.size,
      organizations: organizations.byMeta.size,
    }),
  };
  return store;
}

import { DATA_PACK_CODES, type DataPack, parseGoDuration } from '@hub/api-types';
import { computeDataPack, type DataPackResult } from '@hub/datapack';
import type {
  CataloguePolicy,
  KubeObject,
  ReconcileContext,
  ReconcilerDefinition,
  WatchMapping,
} from '../client.ts';
import type { DesiredCondition } from '../reconcile/conditions.ts';
import { applyStatusIfChanged } from '../reconcile/status-writer.ts';
import { cacheCatalogue } from './cache-catalogue.ts';
import { CoverageIndex } from './coverage-index.ts';

/** The expiry a pack gets when its expireTime is unusable (written before admission checked it). */
const FALLBACK_EXPIRE_MS = 2 * 60 * 60 * 1000;

/** When the pack is to be deleted, and why the expireTime was not used if it was not. */
export function expiryOf(pack: DataPack): { at: number; problem?: string } {
  const created = Date.parse(pack.metadata.creationTimestamp ?? '');
  const base = Number.isNaN(created) ? 0 : created;
  const parsed = parseGoDuration(pack.spec.expireTime ?? '2h');
  if (!parsed.success || parsed.data <= 0) {
    const why = parsed.success ? 'is not positive' : parsed.error.message;
    return {
      at: base + FALLBACK_EXPIRE_MS,
      problem: `spec.expireTime ${JSON.stringify(pack.spec.expireTime)} ${why}`,
    };
  }
  return { at: base + parsed.data };
}

function readyOf(result: DataPackResult, names: number): DesiredCondition {
  if (result.codes === DATA_PACK_CODES.OK) {
    return {
      type: 'Ready',
      status: 'True',
      reason: 'Gathered',
      message: `${names} of ${names} names gathered.`,
    };
  }
  return {
    type: 'Ready',
    status: 'False',
    reason: 'Incomplete',
    message: result.message ?? 'the pack is incomplete.',
  };
}

const PENDING_READY: DesiredCondition = {
  type: 'Ready',
  status: 'Unknown',
  reason: 'Pending',
  message: 'gathering the requested names.',
};

function packName(object: KubeObject): readonly string[] {
  return object.metadata.name === undefined ? [] : [object.metadata.name];
}

/**
 * The DataPack controller: PENDING at once, then OK or ERROR (stored, with `status.message` and a
 * Ready condition) from `computeDataPack` over the informer cache, public repositories only;
 * recomputed when a covered Image, Repository or Organization changes; deleted when
 * `creationTimestamp + expireTime` passes, by a requeue at that moment.
 */
export function datapackReconciler(_policy: CataloguePolicy): ReconcilerDefinition<'DataPack'> {
  const coverage = new CoverageIndex();

  async function reconcile(name: string, context: ReconcileContext) {
    const { cache } = context.client;
    const pack = cache.get('DataPack', name);
    if (pack === undefined) {
      coverage.delete(name);
      return undefined;
    }
    if (pack.metadata.deletionTimestamp) return undefined;
    coverage.set(name, pack.spec.names ?? []);

    const expiry = expiryOf(pack);
    const now = context.now().getTime();
    if (now >= expiry.at) {
      const preconditions = pack.metadata.uid === undefined ? {} : { uid: pack.metadata.uid };
      await context.client.delete({ apiVersion: pack.apiVersion, kind: 'DataPack', name }, { preconditions });
      coverage.delete(name);
      context.log.info('DataPack expired and deleted', { name });
      return undefined;
    }

    const codes = pack.status?.codes ?? DATA_PACK_CODES.NOTRUN;
    if (codes === DATA_PACK_CODES.NOTRUN) {
      await applyStatusIfChanged(
        'DataPack',
        pack,
        {
          fields: { codes: DATA_PACK_CODES.PENDING, datas: undefined, message: undefined },
          ready: PENDING_READY,
        },
        context,
      );
    }

    // No access predicate: every hub user may read a pack's status, so private repositories (and
    // Images whose repository is private by its Organization's default) are answered as missing.
    const result = computeDataPack(pack.spec, cacheCatalogue(cache));
    const message = [
      result.message,
      expiry.problem === undefined ? undefined : `${expiry.problem}; expiring after 2h`,
    ]
      .filter((part) => part !== undefined)
      .join('; ');
    const final: DataPackResult =
      expiry.problem === undefined ? result : { codes: DATA_PACK_CODES.ERROR, datas: result.datas, message };
    const written = await applyStatusIfChanged(
      'DataPack',
      // After the PENDING write the cached object is stale; compare against what we just wrote.
      codes === DATA_PACK_CODES.NOTRUN ? { ...pack, status: { codes: DATA_PACK_CODES.PENDING } } : pack,
      {
        fields: { codes: final.codes, datas: final.datas, message: final.message },
        ready: readyOf(final, new Set(pack.spec.names).size),
      },
      context,
    );
    if (written && final.codes === DATA_PACK_CODES.ERROR) {
      context.client.recordEvent(
        { apiVersion: pack.apiVersion, kind: 'DataPack', name },
        { type: 'Warning', reason: 'DataPackIncomplete', message: final.message ?? 'incomplete' },
      );
    }
    return { requeueAfterMs: Math.max(1, expiry.at - now) };
  }

  const watches: WatchMapping[] = [
    {
      kind: 'DataPack',
      map(event) {
        if (event.type === 'DELETED') {
          if (event.object.metadata.name !== undefined) coverage.delete(event.object.metadata.name);
          return [];
        }
        const spec = (event.object as { spec?: { names?: unknown } }).spec;
        const names = Array.isArray(spec?.names)
          ? spec.names.filter((n): n is string => typeof n === 'string')
          : [];
        if (event.object.metadata.name !== undefined) coverage.set(event.object.metadata.name, names);
        return packName(event.object);
      },
    },
    {
      kind: 'Image',
      map: (event) =>
        coverage.image(String((event.object as { spec?: { name?: unknown } }).spec?.name ?? '')),
    },
    {
      kind: 'Repository',
      map: (event) =>
        coverage.repository(String((event.object as { spec?: { name?: unknown } }).spec?.name ?? '')),
    },
    {
      kind: 'Organization',
      map: (event) =>
        coverage.organization(String((event.object as { spec?: { name?: unknown } }).spec?.name ?? '')),
    },
  ];

  return { name: 'datapack', kind: 'DataPack', reconcile, watches };
}

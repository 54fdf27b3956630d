import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Store } from './database';
import { reposFor } from './repos';
import { WriteBatcher } from './write-batcher';

describe('WriteBatcher', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bota-batch-'));
    store = Store.open(join(dir, 'cloud.db'));
  });
  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits units submitted together, undoing only the one that throws', async () => {
    const audit = reposFor(store).audit;
    const batcher = new WriteBatcher(store);
    const results = await Promise.allSettled([
      batcher.submit(() => audit.add('a', 'x.one', '1')),
      batcher.submit(() => {
        audit.add('b', 'x.two', '2');
        throw new Error('refused');
      }),
      batcher.submit(() => {
        audit.add('c', 'x.three', '3');
        return 'three';
      }),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[2]).toMatchObject({ value: 'three' });
    expect(
      audit
        .latest(10)
        .map((entry) => entry.subject)
        .sort(),
    ).toEqual(['1', '3']);
  });

  it('answers only after the commit, and keeps working across batches', async () => {
    const audit = reposFor(store).audit;
    const batcher = new WriteBatcher(store);
    await batcher.submit(() => audit.add('a', 'x.first', '1'));
    expect(store.inTransaction).toBe(false);
    await batcher.submit(() => audit.add('a', 'x.second', '2'));
    expect(audit.latest(10)).toHaveLength(2);
  });
});

// Runs the shared StateStore suite on memory and on the metadata database in every dialect available, each also
// behind a state cache (state/state-cache.ts) that answers the diff from memory; the cache's own behaviour is in
// state-cache.test.ts.
import { createStateCache } from '../../../src/engine/model-sync/state/state-cache.ts';
import { stateStoreCases } from './state-store-cases.ts';
import { stateStoreSubjects } from './state-store-subjects.ts';

for (const { name, open } of await stateStoreSubjects()) {
  stateStoreCases(name, open);
  // The cases' sync is s1: behind a state cache its diffs come from memory, kept current by the commits; other syncs
  // pass through. Cold and preloaded (the state read whole at open), and cold without preload (warming from diffs).
  for (const preloadKeys of [1_000_000, 0]) {
    stateStoreCases(`${name}, behind a state cache (preload ${preloadKeys})`, async () => {
      const subject = await open();
      return { store: await createStateCache().open(subject.store, 's1', { preloadKeys }), dispose: subject.dispose };
    });
  }
}

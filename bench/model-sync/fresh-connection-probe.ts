// What a run pays for opening its connections (not part of `npm run bench`): the worker opens the model's source and
// the target for each execution and closes them after it, where the in-process bench keeps one pair for all its runs.
// Each step a run takes on them (the plan check's listObjects and describeObject, the source's describeQuery, the
// first fetch, the first and second write of 1000 upserts: the write catalog and the staging table come with the
// first) is timed on a fresh pair and on a warm one, alternating, 12 times; the median and least of the last 10.
// Run: node --import tsx bench/model-sync/fresh-connection-probe.ts
import pg from 'pg';
import { createPostgresDatabase } from '../../test/kit/services.ts';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import { postgresConfiguration } from '../../test/connectors/postgres-configuration-fixture.ts';
import { silentLogger } from '../../src/domain/run-context.ts';
import { contactsTable, createPeople } from './people-model.ts';
const db = await createPostgresDatabase('ferry_probe_conn');
const native = new pg.Pool({ connectionString: db.url, max: 1 });
await createPeople(native, 20_000);
await native.query(contactsTable);
const connector = createPostgresConnector();
const context = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };
const steps: Record<string, number[]> = {};
const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  try {
    return await work();
  } finally {
    steps[name] ??= [];
    steps[name].push(performance.now() - start);
  }
};
const warmSource = connector.open(postgresConfiguration(db));
const warmTarget = connector.open(postgresConfiguration(db));
for (let i = 0; i < 12; i += 1) {
  for (const fresh of [true, false]) {
    const tag = fresh ? 'fresh' : 'warm';
    const source = fresh ? connector.open(postgresConfiguration(db)) : warmSource;
    const target = fresh ? connector.open(postgresConfiguration(db)) : warmTarget;
    await time(`${tag} listObjects+describeObject`, async () => {
      await target.modelTarget!.listObjects(context);
      await target.modelTarget!.describeObject(context, 'public.contacts');
    });
    await time(`${tag} describeQuery`, () =>
      source.modelSource!.describeQuery(context, 'select * from people order by id'),
    );
    await time(`${tag} first fetch`, async () => {
      for await (const _batch of source.modelSource!.readQuery(context, 'select * from people order by id', {
        batchSize: 1000,
        fields: ['email', 'name', 'plan', 'seats'],
      }))
        break;
    });
    const records = Array.from({ length: 1000 }, (_, k) => ({
      email: `u${k}@x`,
      full_name: `n${i}`,
      tier: 'free',
      seats: k,
    }));
    // The first write reads the write catalog and makes the staging table; the second has both.
    for (const write of ['first', 'second'])
      await time(`${tag} ${write} write of 1000`, () =>
        target.modelTarget!.write(context, {
          objectId: 'public.contacts',
          operation: 'upsert',
          identity: ['email'],
          records,
        } as never),
      );
    if (fresh) await Promise.all([source.close(), target.close()]);
  }
}
const median = (values: number[]) => values.slice(2).sort((a, b) => a - b)[Math.floor((values.length - 2) / 2)]!;
for (const [name, values] of Object.entries(steps))
  console.log(name.padEnd(36), 'median', median(values).toFixed(1), 'min', Math.min(...values.slice(2)).toFixed(1));
await Promise.all([warmSource.close(), warmTarget.close(), native.end()]);
await db.drop();

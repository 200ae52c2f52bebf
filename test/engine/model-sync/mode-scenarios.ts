// The end-to-end scenario every target runs for every mode: run 1 on a 45-row model; then the model
// changes (2 rows updated, 2 deleted, 2 added); run 2 is killed after 2 of its 5 batches (abort) and
// run 3 restarts it. The target must end exactly as the mode prescribes, and runs 2 + 3 together
// must send each change once. A target adapter seeds and reads back its own storage.
import assert from 'node:assert/strict';
import type { Connection } from '../../../src/connectors/connector.ts';
import type { ModelSyncOptions, ModelSyncPlan, SyncMode } from '../../../src/engine/model-sync/model-sync-plan.ts';
import { runModelSync, type ModelSyncResult } from '../../../src/engine/model-sync/model-sync-runner.ts';
import type { StateStore } from '../../../src/engine/model-sync/state-store.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { diffPaths, interruptingStateStore, type DiffPath } from './model-sync-kit.ts';

export interface Person {
  id: number;
  email: string;
  name: string;
  plan: string;
}

/** What a target record looks like once mapped: email is the identity. */
export interface Contact {
  email: string;
  full_name: string;
  tier: string;
}

export const initialPeople = (): Person[] =>
  Array.from({ length: 45 }, (_, index) => ({
    id: index + 1,
    email: `p${String(index + 1).padStart(2, '0')}@x.com`,
    name: `Person ${index + 1}`,
    plan: index % 3 === 0 ? 'pro' : 'free',
  }));

function changedPeople(people: Person[]): Person[] {
  const next = people.filter((person) => person.id !== 10 && person.id !== 40).map((person) => ({ ...person }));
  for (const person of next) if (person.id === 5 || person.id === 30) person.name = `${person.name} (renamed)`;
  next.push(
    { id: 46, email: 'p46@x.com', name: 'Person 46', plan: 'pro' },
    { id: 47, email: 'p47@x.com', name: 'Person 47', plan: 'free' },
  );
  return next;
}

export const contactOf = (person: Person): Contact => ({
  email: person.email,
  full_name: person.name,
  tier: person.plan,
});

interface ModelAdapter {
  connection: Connection;
  query: string;
  replaceRows(people: Person[]): Promise<void>;
}

interface TargetAdapter {
  /** keyed: `contacts` with email as identity; log: `events`, rows only ever added. */
  objectId(kind: 'keyed' | 'log'): string;
  connection: Connection;
  seed(kind: 'keyed' | 'log', contacts: Contact[]): Promise<void>;
  read(kind: 'keyed' | 'log'): Promise<Contact[]>;
  reset(): Promise<void>;
}

export interface Expectation {
  kind: 'keyed' | 'log';
  /** Target records before run 1. */
  seedBefore?: Contact[];
  /** Target records added between run 1 and run 2 (someone else wrote them). */
  seedBetween?: Contact[];
  afterFirst: Contact[];
  final: Contact[];
  /** insert+update+delete accepted over runs 2 and 3 together. */
  changesSent: { insert: number; update: number; delete: number };
}

const M1 = initialPeople();
const M2 = changedPeople(M1);
const extras: Contact[] = [100, 101, 102].map((id) => ({
  email: `other${id}@x.com`,
  full_name: `Other ${id}`,
  tier: 'none',
}));
const stale = (contact: Contact): Contact => ({ ...contact, full_name: 'stale', tier: 'stale' });
const byId = (people: Person[], ids: number[]) => people.filter((person) => ids.includes(person.id)).map(contactOf);

const expectations: Record<SyncMode, Expectation> = {
  updateOrCreate: {
    kind: 'keyed',
    afterFirst: M1.map(contactOf),
    final: [...M2.map(contactOf), ...byId(M1, [10, 40])],
    changesSent: { insert: 2, update: 2, delete: 0 },
  },
  replace: {
    kind: 'keyed',
    afterFirst: M1.map(contactOf),
    final: M2.map(contactOf),
    changesSent: { insert: 2, update: 2, delete: 2 },
  },
  create: {
    kind: 'keyed',
    afterFirst: M1.map(contactOf),
    final: [...M1.map(contactOf), ...byId(M2, [46, 47])],
    changesSent: { insert: 2, update: 0, delete: 0 },
  },
  update: {
    kind: 'keyed',
    seedBefore: M1.filter((person) => person.id <= 20)
      .map(contactOf)
      .map(stale),
    afterFirst: byId(
      M1,
      Array.from({ length: 20 }, (_, index) => index + 1),
    ),
    final: [
      ...byId(
        M2,
        Array.from({ length: 20 }, (_, index) => index + 1),
      ),
      ...byId(M1, [10]),
    ],
    changesSent: { insert: 0, update: 1, delete: 0 },
  },
  remove: {
    kind: 'keyed',
    seedBefore: [...M1.map(contactOf), ...extras],
    seedBetween: byId(M2, [46, 47]),
    afterFirst: extras,
    final: extras,
    changesSent: { insert: 0, update: 0, delete: 2 },
  },
  append: {
    kind: 'log',
    afterFirst: M1.map(contactOf),
    final: [...M1.map(contactOf), ...byId(M2, [5, 30, 46, 47])],
    changesSent: { insert: 4, update: 0, delete: 0 },
  },
  snapshot: {
    kind: 'log',
    afterFirst: M1.map(contactOf),
    // Run 2 is killed after 2 of its 5 batches (20 rows); run 3 writes a whole new snapshot.
    final: [...M1.map(contactOf), ...M2.slice(0, 20).map(contactOf), ...M2.map(contactOf)],
    changesSent: { insert: 20 + M2.length, update: 0, delete: 0 },
  },
};

export function sortContacts(contacts: Contact[]): Contact[] {
  return contacts
    .map((contact) => ({ email: contact.email, full_name: contact.full_name, tier: contact.tier }))
    .sort((left, right) =>
      left.email + left.full_name < right.email + right.full_name
        ? -1
        : left.email + left.full_name > right.email + right.full_name
          ? 1
          : 0,
    );
}

export interface ScenarioEnvironment {
  model: ModelAdapter;
  target: TargetAdapter;
  stateStore: StateStore;
}

export function planFor(
  mode: SyncMode,
  environment: ScenarioEnvironment,
  executionId: string,
  source: Connection = environment.model.connection,
): ModelSyncPlan {
  const kind = expectations[mode].kind;
  return {
    syncId: `sync-${mode}`,
    executionId,
    source: { connection: source, query: environment.model.query },
    target: { connection: environment.target.connection, objectId: environment.target.objectId(kind) },
    mode,
    identity: kind === 'keyed' ? { source: { field: 'email' }, target: 'email', function: 'Equality' } : undefined,
    fields: [
      ...(kind === 'log' ? [{ source: { field: 'email' }, target: 'email' }] : []),
      { source: { field: 'name' }, target: 'full_name' },
      { source: { field: 'plan' }, target: 'tier' },
    ],
  };
}

const sent = (result: ModelSyncResult) => ({
  insert: result.counts.insert,
  update: result.counts.update,
  delete: result.counts.delete,
});

/** Runs the whole scenario for one mode; returns the three results for target-specific checks. */
export async function runModeScenario(
  mode: SyncMode,
  environment: ScenarioEnvironment,
  adjust: Partial<Expectation> = {},
  path: DiffPath = diffPaths[0]!,
): Promise<ModelSyncResult[]> {
  const expected = { ...expectations[mode], ...adjust };
  const { model, target } = environment;
  await target.reset();
  await model.replaceRows(M1);
  if (expected.seedBefore) await target.seed(expected.kind, expected.seedBefore);
  const options: ModelSyncOptions = { batchSize: 10, preloadStateKeys: path.preloadStateKeys };

  const first = await runModelSync(
    createMockRunContext(),
    planFor(mode, environment, `${mode}-1`),
    { stateStore: environment.stateStore, stateCache: path.stateCache() },
    options,
  );
  assert.equal(first.status, 'completed', first.error?.message);
  assert.deepEqual(
    sortContacts(await target.read(expected.kind)),
    sortContacts(expected.afterFirst),
    `${mode}: target after run 1`,
  );

  await model.replaceRows(M2);
  if (expected.seedBetween) await target.seed(expected.kind, expected.seedBetween);
  const killedContext = createMockRunContext();
  // Canceled once 2 of its 5 batches are committed (the engine has already read batch 3 ahead by then).
  const interrupting = interruptingStateStore(environment.stateStore, {
    abortAfterCommits: 2,
    abort: () => killedContext.abort(),
  });
  const killed = await runModelSync(
    killedContext,
    planFor(mode, environment, `${mode}-2`),
    { stateStore: interrupting, stateCache: path.stateCache() },
    options,
  );
  assert.equal(killed.status, 'canceled', `${mode}: run 2 is killed midway (${killed.error?.message})`);
  // Run 2 queues its few changes, so each batch's commit is its own, and the abort lands right after batch 2. A
  // snapshot delivers every batch, and batch 3 may have been worked while batch 2's delivery was in flight
  // (delivery-pipeline.ts); it was not sent (the final target below holds no row of it from run 2).
  assert.ok(
    killed.counts.total === 20 || (mode === 'snapshot' && killed.counts.total === 30),
    `${mode}: run 2 stopped after its 2 committed batches (read ${killed.counts.total})`,
  );
  const restarted = await runModelSync(
    createMockRunContext(),
    planFor(mode, environment, `${mode}-3`),
    { stateStore: environment.stateStore, stateCache: path.stateCache() },
    options,
  );
  assert.equal(restarted.status, 'completed', restarted.error?.message);

  assert.deepEqual(
    sortContacts(await target.read(expected.kind)),
    sortContacts(expected.final),
    `${mode}: final target`,
  );
  const total = {
    insert: killed.counts.insert + restarted.counts.insert,
    update: killed.counts.update + restarted.counts.update,
    delete: killed.counts.delete + restarted.counts.delete,
  };
  assert.deepEqual(
    total,
    expected.changesSent,
    `${mode}: runs 2 and 3 send each change once (run 2 ${JSON.stringify(sent(killed))}, run 3 ${JSON.stringify(sent(restarted))})`,
  );
  return [first, killed, restarted];
}

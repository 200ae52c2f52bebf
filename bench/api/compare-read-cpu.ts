// Server CPU per request of Ferry's reads against a bare Fastify route sending the same bytes, both served by this
// one process (the bare app on a port of its own) and loaded in turn by autocannon in a child process, round after
// round, so that a busy machine's swings fall on both alike. Prints the median CPU per request of each.
// Run: node --import tsx bench/api/compare-read-cpu.ts [me,bulkSync,...] [version]
//      (BENCH_ROUNDS 5, BENCH_DURATION 3 s a run, BENCH_API_SEED_RESOURCES 1000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createFerry } from '../../src/ferry.ts';
import { loadInChild } from './load-in-child.ts';
import { seedResources } from './seed-resources.ts';

const names = (process.argv[2] ?? 'me,bulkSync').split(',');
const version = process.argv[3] ?? '2024-02-08';
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_DURATION ?? 3);
const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-compare-'));
const apiKey = 'bench-api-key-compare';
const ferry = await createFerry(
  loadConfig(
    { FERRY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', FERRY_BOOTSTRAP_API_KEY: apiKey },
    { worker: false },
  ),
);
const bare = Fastify();
try {
  const url = await ferry.listen();
  const ids = await seedResources(ferry, url, apiKey, ferry.bootstrap!.organizationId, dataDir, 1000);
  const paths: Record<string, string> = {
    me: '/api/me',
    bulkSync: `/api/bulk/syncs/${ids.bulkSyncId}`,
    modelSync: `/api/syncs/${ids.modelSyncId}`,
    connection: `/api/connections/${ids.connectionId}`,
  };
  const headers = { authorization: `Bearer ${apiKey}`, 'x-polytomic-version': version };
  for (const name of names) {
    const response = await fetch(url + paths[name], { headers });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${paths[name]}: ${response.status} ${body}`);
    bare.get(paths[name]!, async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  }
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const figures = new Map<string, number[]>();
  const measure = async (label: string, target: string) => {
    const started = process.cpuUsage();
    const requests = await loadInChild(target, headers, seconds);
    const cpu = process.cpuUsage(started);
    const list = figures.get(label) ?? [];
    list.push((cpu.user + cpu.system) / requests);
    figures.set(label, list);
  };
  for (const name of names) await loadInChild(url + paths[name], headers, 1);
  for (const name of names) await loadInChild(bareUrl + paths[name], headers, 1);
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      await measure(`bare  ${name}`, bareUrl + paths[name]);
      await measure(`ferry ${name}`, url + paths[name]);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const list = (values: number[], digits: number) => values.map((value) => value.toFixed(digits)).join(' ');
  for (const name of names) {
    const bareCpu = figures.get(`bare  ${name}`)!;
    const ferryCpu = figures.get(`ferry ${name}`)!;
    // Each round's bare run and Ferry run are back to back: their ratio is steadier than either figure.
    const ratios = ferryCpu.map((cpu, round) => bareCpu[round]! / cpu);
    console.log(
      `${name.padEnd(11)} ferry ${median(ferryCpu).toFixed(1).padStart(5)} µs/req (${list(ferryCpu, 1)}), ` +
        `bare ${median(bareCpu).toFixed(1).padStart(5)} µs/req (${list(bareCpu, 1)}), ` +
        `ratio by CPU ${median(ratios).toFixed(2)} (${list(ratios, 2)})`,
    );
  }
} finally {
  await bare.close();
  await ferry.close();
  rmSync(dataDir, { recursive: true, force: true });
}

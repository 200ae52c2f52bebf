// The stepped search for the highest sustained change rate: the load runs at doubling rates, a short step each, on
// streams that keep running between steps. A step is SUSTAINED for a consumer when:
//   1. the load generator achieved at least 95 % of the step's rate (otherwise the source, not the consumer, is the
//      limit, and the step says so);
//   2. every change of the step arrived: a marker row committed after the step's load reached the consumer within
//      the catch-up time (the larger of 30 s and three steps);
//   3. p99 lag over all the step's rows is under 2 s;
//   4. lag is not growing: the p99 of the rows written in the step's second half is at most 500 ms above the first
//      half's (a consumer that falls behind shows a second half that keeps climbing).
// The search stops at the first step no consumer sustains; the highest sustained rate is the last step that was.
import type pg from 'pg';
import { formatCount, printTable } from '../lib/result-table.ts';
import { type ChangeLoad, runLoad } from './change-load.ts';
import { type LagFigures, lagPercentiles } from './lag-log.ts';

export interface Consumer {
  name: string;
  /** The destination schema holding its `items` and `lag_log`. */
  schema: string;
}

interface ConsumerStep extends LagFigures {
  consumer: string;
  firstHalfP99: number;
  secondHalfP99: number;
  caughtUp: boolean;
  sustained: boolean;
  why: string;
}

interface Step {
  rate: number;
  achieved: number;
  consumers: ConsumerStep[];
}

const p99Limit = 2000;
const growthLimit = 500;
const achievedShare = 0.95;

/** Whether the marker row `id` reached `schema`.items within the time: everything committed before it did too. */
export async function waitForMarker(
  destination: pg.Pool,
  schema: string,
  id: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await destination
      .query<{ n: number }>(`select count(*)::int as n from ${schema}.items where id = $1`, [id])
      .catch(() => ({ rows: [{ n: 0 }] }));
    if (rows[0]!.n > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

export async function searchSustainedRate(options: {
  load: ChangeLoad;
  destination: pg.Pool;
  consumers: Consumer[];
  rates: number[];
  stepSeconds: number;
  /** Marker ids are negative and distinct per step; the first is this. */
  firstMarker: number;
}): Promise<Step[]> {
  const { load, destination, consumers, stepSeconds } = options;
  const catchUpMs = Math.max(30_000, stepSeconds * 3000);
  const steps: Step[] = [];
  for (const [index, rate] of options.rates.entries()) {
    for (const consumer of consumers) await destination.query(`truncate ${consumer.schema}.lag_log`);
    const started = new Date();
    const result = await runLoad(load, rate, stepSeconds);
    const ended = new Date();
    const middle = new Date((started.getTime() + ended.getTime()) / 2);
    const marker = options.firstMarker - index;
    await load.marker(marker);
    const achieved = result.committed / result.seconds;
    const generated = achieved >= rate * achievedShare;
    const figures: ConsumerStep[] = [];
    for (const consumer of consumers) {
      const caughtUp = await waitForMarker(destination, consumer.schema, marker, catchUpMs);
      const all = await lagPercentiles(destination, consumer.schema);
      const first = await lagPercentiles(destination, consumer.schema, started, middle);
      const second = await lagPercentiles(destination, consumer.schema, middle, ended);
      const growth = second.p99 - first.p99;
      const why = !generated
        ? `load reached ${formatCount(Math.round(achieved))}/s only`
        : !caughtUp
          ? `not caught up ${Math.round(catchUpMs / 1000)} s after the step`
          : all.p99 >= p99Limit
            ? 'p99 ≥ 2 s'
            : growth > growthLimit
              ? `p99 grew ${Math.round(growth)} ms across the step`
              : 'sustained';
      figures.push({
        consumer: consumer.name,
        ...all,
        firstHalfP99: first.p99,
        secondHalfP99: second.p99,
        caughtUp,
        sustained: why === 'sustained',
        why,
      });
    }
    steps.push({ rate, achieved, consumers: figures });
    if (!figures.some((figure) => figure.sustained)) break;
  }
  return steps;
}

/** The highest step rate each consumer sustained, every step up to it included; undefined when none was. */
export function highestSustained(steps: Step[], consumer: string): number | undefined {
  let highest: number | undefined;
  for (const step of steps) {
    const figure = step.consumers.find((each) => each.consumer === consumer);
    if (!figure?.sustained) break;
    highest = step.rate;
  }
  return highest;
}

export function printSteps(title: string, steps: Step[]): void {
  const ms = (value: number) => `${Math.round(value)} ms`;
  const rows = steps.flatMap((step) => step.consumers.map((figure) => ({ ...figure, step })));
  printTable(
    title,
    [
      { header: 'rate', cell: (row) => `${formatCount(row.step.rate)}/s`, align: 'right' },
      { header: 'achieved', cell: (row) => `${formatCount(Math.round(row.step.achieved))}/s`, align: 'right' },
      { header: 'consumer', cell: (row) => row.consumer },
      { header: 'rows timed', cell: (row) => formatCount(row.n), align: 'right' },
      { header: 'p50', cell: (row) => ms(row.p50), align: 'right' },
      { header: 'p95', cell: (row) => ms(row.p95), align: 'right' },
      { header: 'p99', cell: (row) => ms(row.p99), align: 'right' },
      { header: 'p99 1st/2nd half', cell: (row) => `${ms(row.firstHalfP99)} / ${ms(row.secondHalfP99)}` },
      { header: 'verdict', cell: (row) => row.why },
    ],
    rows,
  );
}

/** How the search decides, printed with its figures so that the table can be read on its own. */
export function printSustainedDefinition(stepSeconds: number): void {
  console.log(
    `Sustained (per step of ${stepSeconds} s): the load achieved ≥ ${achievedShare * 100} % of the rate; every change arrived (a marker row committed after the step reached the destination within max(30 s, 3 steps)); p99 lag over the step's rows < ${p99Limit / 1000} s; and the p99 of the rows written in the step's second half is at most ${growthLimit} ms above the first half's (lag not growing). Rates double until no consumer sustains a step.`,
  );
}

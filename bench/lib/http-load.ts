// HTTP load with autocannon, driven programmatically: a warm-up run whose figures are discarded (JIT, caches,
// connection pools), then the measured run. Any non-2xx response or socket error makes the result invalid,
// because a fast error page is not a fast endpoint.
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  /** Concurrent connections. Default 50. */
  connections?: number;
  /** Measured seconds. Default 10. */
  durationSeconds?: number;
  /** Seconds of load before measuring, discarded. Default 3. */
  warmupSeconds?: number;
  /** Called between the warm-up and the measured run (e.g. to read the server's CPU time). */
  onMeasureStart?: () => void;
}

export interface LoadResult {
  /** Mean of the per-second request counts (autocannon's "Req/Sec avg"). */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Empty when every response was a 2xx and no socket failed. */
  problems: string[];
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

export async function measureHttp(options: LoadOptions): Promise<LoadResult> {
  const base = {
    url: options.url,
    headers: options.headers,
    connections: options.connections ?? 50,
  } satisfies autocannon.Options;
  const warmupSeconds = options.warmupSeconds ?? 3;
  if (warmupSeconds > 0) await run({ ...base, duration: warmupSeconds });
  options.onMeasureStart?.();
  const result = await run({ ...base, duration: options.durationSeconds ?? 10 });
  const problems: string[] = [];
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx responses`);
  if (result.errors > 0) problems.push(`${result.errors} socket errors (${result.timeouts} timeouts)`);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    problems,
  };
}

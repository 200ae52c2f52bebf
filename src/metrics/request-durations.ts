// The HTTP request-duration histogram, kept by Ferry rather than prom-client. Every API request observes it, and
// prom-client's labelled observe checks the label names and hashes the values again on each call (about 0.9 µs, a
// few percent of a cached read's whole cost). Here a request's series is found by one string key and its bucket by a
// scan of the bounds; the Prometheus text of the family is rendered only when scraped, in the exposition format
// prom-client writes for its own histograms (cumulative `_bucket` lines with `le`, then `_sum` and `_count`).

export interface RequestDurations {
  observe(method: string, route: string, status: number, seconds: number): void;
  /** The family in Prometheus text format: HELP, TYPE and every series' lines, without a trailing newline. */
  text(): string;
}

interface Series {
  /** The series' labels, rendered: `method="GET",route="…",status="200"`. */
  labels: string;
  /** Observations per bucket, not cumulative; the last one is above every bound (+Inf). */
  counts: number[];
  sum: number;
  count: number;
}

/** A label value as the text format quotes it: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function createRequestDurations(name: string, help: string, bounds: readonly number[]): RequestDurations {
  const series = new Map<string, Series>();
  return {
    observe(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let one = series.get(key);
      if (!one) {
        one = {
          labels: `method="${labelValue(method)}",route="${labelValue(route)}",status="${status}"`,
          counts: new Array<number>(bounds.length + 1).fill(0),
          sum: 0,
          count: 0,
        };
        series.set(key, one);
      }
      const value = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
      let bucket = 0;
      while (bucket < bounds.length && value > bounds[bucket]!) bucket += 1;
      one.counts[bucket]! += 1;
      one.sum += value;
      one.count += 1;
    },
    text() {
      const lines = [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} histogram`];
      for (const one of series.values()) {
        let cumulative = 0;
        for (let bucket = 0; bucket < bounds.length; bucket += 1) {
          cumulative += one.counts[bucket]!;
          lines.push(`${name}_bucket{le="${bounds[bucket]}",${one.labels}} ${cumulative}`);
        }
        lines.push(`${name}_bucket{le="+Inf",${one.labels}} ${one.count}`);
        lines.push(`${name}_sum{${one.labels}} ${one.sum}`);
        lines.push(`${name}_count{${one.labels}} ${one.count}`);
      }
      return lines.join('\n');
    },
  };
}

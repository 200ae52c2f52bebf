// The lag measurement: an AFTER trigger on a destination table (ENABLE ALWAYS, so it fires for a subscription's apply
// too) logs, for every row it receives whose source write stamped `changed_at`, that time and `clock_timestamp() -
// changed_at`: the lag from the source write to the destination write. Source and destination share this machine's
// clock.
import type pg from 'pg';

export const lagTrigger = (schema: string) => `
  create table ${schema}.lag_log (lag_ms double precision not null, written_at timestamptz not null);
  create function ${schema}.log_lag() returns trigger language plpgsql as $$
  begin
    if new.changed_at is not null then
      insert into ${schema}.lag_log
        values (extract(epoch from clock_timestamp() - new.changed_at) * 1000, new.changed_at);
    end if;
    return null;
  end $$;
  create trigger log_lag after insert or update on ${schema}.items for each row execute function ${schema}.log_lag();
  alter table ${schema}.items enable always trigger log_lag;`;

export interface LagFigures {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Percentiles of the logged lags, of every row or of the rows written in [from, to). */
export async function lagPercentiles(pool: pg.Pool, schema: string, from?: Date, to?: Date): Promise<LagFigures> {
  const window = from && to ? 'where written_at >= $1 and written_at < $2' : '';
  const { rows } = await pool.query<LagFigures>(
    `select count(*)::int as n, coalesce(percentile_cont(0.5) within group (order by lag_ms), 0) as p50,
            coalesce(percentile_cont(0.95) within group (order by lag_ms), 0) as p95,
            coalesce(percentile_cont(0.99) within group (order by lag_ms), 0) as p99,
            coalesce(max(lag_ms), 0) as max from ${schema}.lag_log ${window}`,
    from && to ? [from, to] : [],
  );
  return rows[0]!;
}

// One pg.Pool per connection instance (no shared global pool), closed by close(). The session runs
// in UTC so timestamptz text needs no offset arithmetic, though toUtcIso handles offsets anyway.
import pg from 'pg';
import type { RunContext } from '../../domain/run-context.ts';
import { canceledError, throwIfAborted } from '../connector-error.ts';
import type { PostgresConfiguration } from './postgres-configuration.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { postgresTypeParsers } from './postgres-types.ts';

export interface PostgresClient {
  readonly pool: pg.Pool;
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    context: RunContext,
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>>;
  /** Runs `work` on one checked-out client; a client left mid-protocol by an error is destroyed. */
  withClient<T>(context: RunContext, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Small pools: a sync uses one reader or one writer at a time; 5 leaves room for tests and samples. */
const poolSize = 5;
const connectTimeoutMilliseconds = 10_000;

/** What every connection to this server needs: address, credentials, TLS, the UTC session and Ferry's parsers. */
export function postgresClientConfig(configuration: PostgresConfiguration): pg.ClientConfig {
  const ssl: pg.ClientConfig['ssl'] = configuration.ssl
    ? configuration.ca_cert
      ? { ca: configuration.ca_cert, rejectUnauthorized: true }
      : { rejectUnauthorized: false }
    : false;
  return {
    host: configuration.hostname,
    port: configuration.port,
    database: configuration.database,
    user: configuration.username,
    password: configuration.password,
    ssl,
    connectionTimeoutMillis: connectTimeoutMilliseconds,
    options: '-c TimeZone=UTC',
    types: postgresTypeParsers,
  };
}

export function createPostgresClient(configuration: PostgresConfiguration): PostgresClient {
  const pool = new pg.Pool({ ...postgresClientConfig(configuration), max: poolSize, idleTimeoutMillis: 10_000 });
  // An idle client losing its server emits on the pool; without a listener Node would crash.
  pool.on('error', () => {});
  let closed = false;

  async function checkout(context: RunContext): Promise<pg.PoolClient> {
    throwIfAborted(context.signal);
    try {
      return await pool.connect();
    } catch (error: unknown) {
      throw classifyPostgresError(error);
    }
  }

  return {
    pool,
    async query(context, text, values) {
      return this.withClient(context, (client) => client.query(text, values));
    },
    async withClient(context, work) {
      const client = await checkout(context);
      let broken: Error | undefined;
      const onAbort = () => {
        broken = canceledError(context.signal);
        // Cancels the running statement server-side (pg_cancel_backend through a side connection).
        const processId = (client as unknown as { processID?: number }).processID;
        if (processId) pool.query('select pg_cancel_backend($1)', [processId]).catch(() => {});
      };
      context.signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await work(client);
      } catch (error: unknown) {
        if (context.signal.aborted) throw canceledError(context.signal);
        broken = error instanceof Error ? error : new Error(String(error));
        throw classifyPostgresError(error);
      } finally {
        context.signal.removeEventListener('abort', onAbort);
        // A client released broken leaves the pool and is ended; an error its connection still raises (the server
        // ending the session, say) must not reach the process as an unhandled 'error' event.
        if (broken) client.on('error', () => {});
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

// One mysql2 pool per connection instance. Sessions run in UTC so TIMESTAMP text is UTC.
import mysql from 'mysql2';
import type { Connection, ConnectionOptions, Pool, PoolConnection } from 'mysql2';
import type { Pool as PromisePool } from 'mysql2/promise';
import type { RunContext } from '../../domain/run-context.ts';
import { throwIfAborted } from '../connector-error.ts';
import type { MysqlConfiguration } from './mysql-configuration.ts';
import { classifyMysqlError } from './mysql-errors.ts';

export interface MysqlClient {
  readonly pool: Pool;
  /** The pool's connection settings, for connections that live outside it (binlog readers, held snapshots). */
  readonly options: ConnectionOptions;
  readonly promise: PromisePool;
  readonly database: string;
  connection(context: RunContext): Promise<PoolConnection>;
  /** A connection of its own, not from the pool, in UTC like the pool's; the caller ends it. */
  dedicatedConnection(context: RunContext): Promise<Connection>;
  query<T = unknown>(context: RunContext, text: string, values?: unknown[]): Promise<T>;
  close(): Promise<void>;
}

export function createMysqlClient(configuration: MysqlConfiguration): MysqlClient {
  const options: ConnectionOptions = {
    host: configuration.hostname,
    port: configuration.port,
    user: configuration.account,
    password: configuration.passwd,
    database: configuration.dbname,
    ssl: configuration.ssl ? { rejectUnauthorized: false } : undefined,
    connectTimeout: 10_000,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
  };
  const pool = mysql.createPool({ ...options, connectionLimit: 5 });
  pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'");
  });
  const promise = pool.promise();
  let closed = false;
  return {
    pool,
    options,
    promise,
    database: configuration.dbname,
    async connection(context) {
      throwIfAborted(context.signal);
      return new Promise((resolve, reject) =>
        pool.getConnection((error, connection) => (error ? reject(classifyMysqlError(error)) : resolve(connection))),
      );
    },
    async dedicatedConnection(context) {
      throwIfAborted(context.signal);
      const connection = mysql.createConnection(options);
      try {
        await connection.promise().query("SET time_zone = '+00:00'");
        return connection;
      } catch (error: unknown) {
        connection.destroy();
        throw classifyMysqlError(error);
      }
    },
    async query<T>(context: RunContext, text: string, values?: unknown[]) {
      throwIfAborted(context.signal);
      try {
        const [rows] = await promise.query(text, values);
        return rows as T;
      } catch (error: unknown) {
        throw classifyMysqlError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await promise.end();
    },
  };
}

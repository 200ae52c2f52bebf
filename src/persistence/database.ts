// Opens the metadata database: SQLite under the data dir by default, PostgreSQL when DATABASE_URL is set.
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import { createPrivateFile, ensurePrivateDirectory, tightenPrivateFiles, type Warn } from './private-files.ts';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface MetadataDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Human-readable location for logs; never contains a password. */
  location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Pool size for PostgreSQL. Default 10. */
  poolSize?: number;
  /** Where a warning about the data dir's mode goes (the process log). Default stderr. */
  warn?: Warn;
}

export function openDatabase(options: OpenDatabaseOptions): MetadataDatabase {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  ensurePrivateDirectory(options.dataDir, options.warn);
  const path = join(options.dataDir, 'ferry.db');
  // SQLite gives the -wal and -shm files it creates the database file's mode, so a 0600 database makes all three 0600.
  createPrivateFile(path);
  const database = openSqlite(path);
  tightenPrivateFiles([path, `${path}-wal`, `${path}-shm`]);
  return database;
}

export function openSqlite(path: string): MetadataDatabase {
  const connection = new SQLite(path);
  // WAL lets readers run while the single writer commits; NORMAL sync is durable across process crashes
  // (only an OS crash can lose the last transactions), and busy_timeout makes a second process wait, not fail.
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const statements = withStatementCache(connection);
  const queue = createConnectionQueue();
  const db = new Kysely<Database>({ dialect: new QueuedSqliteDialect({ database: statements }, queue) });
  hotReaders.set(db, (sql, parameters) => {
    if (queue.busy()) return undefined;
    const statement = statements.prepare(sql);
    return statement.reader ? (statement.all(parameters) as unknown[]) : undefined;
  });
  changeStamps.set(db, sharedReadings(sqliteChangeStamp(connection, statements, queue)));
  return { db, dialect: 'sqlite', location: path, close: () => db.destroy() };
}

/**
 * The hot lookups' way around Kysely's driver (reusable-query.ts), for SQL compiled once and run on every request:
 * - SQLite: the rows at once, synchronously, from the cached statement when nothing holds the connection (no
 *   transaction, no query in flight), else undefined and the caller goes through Kysely. Kysely's path around a
 *   better-sqlite3 call is a chain of promises (acquire, run, release) costing about as much again as the lookup.
 * - PostgreSQL: a named prepared statement through the pool (parsed and planned once per connection, not on every
 *   call as Kysely's unnamed statements are), skipping Kysely's acquire/release promises.
 * Figures: bench/README.md (bench/api).
 */
export type HotReader = (sql: string, parameters: readonly unknown[]) => unknown[] | Promise<unknown[]> | undefined;

// Keyed by the Kysely instance openDatabase made: instances derived from it (transactions, withPlugin) have none and
// take Kysely's path, which is what a transaction needs.
const hotReaders = new WeakMap<object, HotReader>();

export function hotReaderOf(db: object): HotReader | undefined {
  return hotReaders.get(db);
}

/**
 * A number that stays the same for as long as nothing is written to the database, by anyone; undefined when it
 * cannot be told now (a transaction is open on this process's connection: its writes are not committed yet, and
 * a statement run now would run inside it). Read it BEFORE a read whose result is to be kept under it: a commit
 * between the two then leaves newer rows under an older stamp, which only makes the next comparison miss.
 * - SQLite: `PRAGMA data_version` changes whenever another connection (another process, or another connection of
 *   this one) has committed since the last time this connection asked, but never for this connection's own
 *   commits, so every statement of this connection that could write (anything but a read-only query: writes, DDL,
 *   BEGIN, COMMIT, ROLLBACK, savepoints) counts as a change too, when it is prepared to run (statement cache below).
 *   The stamp is a counter bumped by either, so it never repeats.
 * - PostgreSQL: none (no cheap signal that no session wrote); its readers always read.
 */
export type ChangeStamp = () => number | undefined;

/**
 * The change stamp as read once for every caller that asked for it since the last reading: the reading is taken in
 * the event loop's check phase (setImmediate), after the poll phase has read and started every request that arrived
 * with it, and each of those callers gets that one reading. It is read after each caller asked, so it is as fresh as
 * reading it at once would be (a commit that a caller's client saw before it sent its request came before the
 * reading too), while the reading's cost (a WAL read transaction: two lock calls and an fstat, 2–7 µs) is shared by
 * the requests that came in together, as many as 50 under bench/api's load.
 */
export type SharedChangeStamp = () => Promise<number | undefined>;

const changeStamps = new WeakMap<object, SharedChangeStamp>();

/** The database's change stamp, when its dialect has one (SQLite); keyed like hotReaderOf. */
export function changeStampOf(db: object): SharedChangeStamp | undefined {
  return changeStamps.get(db);
}

function sharedReadings(read: ChangeStamp): SharedChangeStamp {
  let next: Promise<number | undefined> | undefined;
  const take = (resolve: (stamp: number | undefined) => void, reject: (error: unknown) => void) =>
    setImmediate(() => {
      // Callers from here on wait for the next reading: this one may already be older than what they must see.
      next = undefined;
      try {
        resolve(read());
      } catch (error: unknown) {
        reject(error);
      }
    });
  return () => {
    next ??= new Promise(take);
    return next;
  };
}

function sqliteChangeStamp(
  connection: SQLite.Database,
  statements: ReturnType<typeof withStatementCache>,
  queue: ConnectionQueue,
): ChangeStamp {
  // Prepared once, on the raw connection: it is a read and must not count as this connection's write.
  const dataVersion = connection.prepare('PRAGMA data_version').pluck();
  let seenDataVersion: unknown;
  let seenWrites = -1;
  let stamp = 0;
  return () => {
    if (queue.busy() || connection.inTransaction) return undefined;
    const version: unknown = dataVersion.get();
    const writes = statements.writes();
    if (version !== seenDataVersion || writes !== seenWrites) {
      seenDataVersion = version;
      seenWrites = writes;
      stamp++;
    }
    return stamp;
  };
}

/**
 * Kysely's SQLite driver guards its one connection with a mutex whose unlock wakes every waiter, and all but one
 * wait again: with n queries queued (50 concurrent requests) each query costs O(n) wake-ups. Under bench/api load
 * that made `executeQuery` the largest self-time frame of GET /api/entities/{id}. Here waiters queue and the
 * connection is handed to the oldest one; Kysely's own mutex is then never contended. Same semantics: one holder
 * at a time, a transaction keeps the connection until it ends.
 */
class QueuedSqliteDialect extends SqliteDialect {
  readonly #queue: ConnectionQueue;
  constructor(config: SqliteDialectConfig, queue: ConnectionQueue) {
    super(config);
    this.#queue = queue;
  }
  override createDriver(): Driver {
    return queuedDriver(super.createDriver(), this.#queue);
  }
}

interface ConnectionQueue {
  /** Resolves (or returns undefined at once) when the caller holds the connection. */
  take(): Promise<void> | undefined;
  /** Gives the connection to the oldest waiter, or frees it. */
  handOver(): void;
  busy(): boolean;
}

function createConnectionQueue(): ConnectionQueue {
  let held = false;
  const waiting: Array<() => void> = [];
  return {
    take() {
      if (!held) {
        held = true;
        return undefined;
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    handOver() {
      const next = waiting.shift();
      if (next) next();
      else held = false;
    },
    busy: () => held,
  };
}

function queuedDriver(driver: Driver, queue: ConnectionQueue): Driver {
  return {
    init: () => driver.init(),
    async acquireConnection(): Promise<DatabaseConnection> {
      await queue.take();
      try {
        return await driver.acquireConnection();
      } catch (error: unknown) {
        queue.handOver();
        throw error;
      }
    },
    async releaseConnection(connection) {
      try {
        await driver.releaseConnection(connection);
      } finally {
        queue.handOver();
      }
    },
    beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
    commitTransaction: (connection) => driver.commitTransaction(connection),
    rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
    savepoint: (connection, name, compile) => driver.savepoint!(connection, name, compile),
    rollbackToSavepoint: (connection, name, compile) => driver.rollbackToSavepoint!(connection, name, compile),
    releaseSavepoint: (connection, name, compile) => driver.releaseSavepoint!(connection, name, compile),
    destroy: () => driver.destroy(),
  };
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs ~30 µs, several times the cost of running a
 * typical lookup (bench/README.md). Statements are cached by SQL text. Safe because Kysely runs one query at a time
 * on its single connection, so a cached statement is never busy when it is used again.
 */
function withStatementCache(connection: SQLite.Database, capacity = 512) {
  const statements = new Map<string, { statement: SQLite.Statement; writes: boolean }>();
  // Statements that may change the database, counted as they are prepared to run: every caller (Kysely's driver, the
  // hot reader) runs what it prepares at once, synchronously, so no change stamp can be read in between.
  let writes = 0;
  return {
    close: () => connection.close(),
    prepare(sql: string): SQLite.Statement {
      let entry = statements.get(sql);
      if (!entry) {
        const statement = connection.prepare(sql);
        // `readonly` alone is true for BEGIN, COMMIT and ROLLBACK, which end or undo writes: only a read-only
        // statement that returns rows is a plain read.
        entry = { statement, writes: !(statement.reader && statement.readonly) };
        if (statements.size >= capacity) statements.delete(statements.keys().next().value!);
        statements.set(sql, entry);
      }
      if (entry.writes) writes++;
      return entry.statement;
    },
    /** How many statements that may write this connection has run. */
    writes: () => writes,
  };
}

export function openPostgres(url: string, poolSize: number): MetadataDatabase {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client whose server connection drops emits 'error' on the pool; unhandled, it would end the process.
  // The pool discards that client and the next query opens a new one.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  hotReaders.set(db, namedStatementReader(pool));
  const parsed = new URL(url);
  parsed.password = '';
  return { db, dialect: 'postgres', location: parsed.toString(), close: () => db.destroy() };
}

/** Names each hot SQL text once (per database); pg prepares a name once per connection and then only binds it. */
function namedStatementReader(pool: pg.Pool): HotReader {
  const names = new Map<string, string | null>();
  return async (sql, parameters) => {
    let name = names.get(sql);
    if (name === undefined) {
      name = `ferry_hot_${names.size}`;
      names.set(sql, name);
    }
    const values = parameters as unknown[];
    if (name === null) return (await pool.query(sql, values)).rows;
    try {
      return (await pool.query({ name, text: sql, values })).rows;
    } catch (error: unknown) {
      // 0A000 "cached plan must not change result type": another process migrated the schema under a statement
      // this process had prepared. That text goes unnamed from now on.
      if ((error as { code?: string }).code !== '0A000') throw error;
      names.set(sql, null);
      return (await pool.query(sql, values)).rows;
    }
  };
}

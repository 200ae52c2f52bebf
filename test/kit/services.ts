// Test services on the machine: PostgreSQL and MariaDB on 127.0.0.1 by default.
// Each test file makes its own scratch database so that files can run in parallel and in any
// order; a suite whose service is unreachable is skipped with the reason printed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';

export const postgresAdminUrl = process.env.FERRY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const mysqlAdminUrl = process.env.FERRY_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

const reachability = new Map<string, Promise<string | undefined>>();

/** Resolves to undefined when PostgreSQL answers, or to the reason it does not. */
export function postgresUnavailable(): Promise<string | undefined> {
  const cached = reachability.get('pg');
  if (cached) return cached;
  const probe = (async () => {
    const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL at ${postgresAdminUrl} is unreachable: ${(error as Error).message}`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  reachability.set('pg', probe);
  return probe;
}

/** Resolves to undefined when MariaDB/MySQL answers, or to the reason it does not. */
export function mysqlUnavailable(): Promise<string | undefined> {
  const cached = reachability.get('mysql');
  if (cached) return cached;
  const probe = (async () => {
    try {
      const connection = await mysql.createConnection({ uri: mysqlAdminUrl, connectTimeout: 2000 });
      await connection.query('select 1');
      await connection.end();
      return undefined;
    } catch (error) {
      return `MySQL/MariaDB at ${mysqlAdminUrl} is unreachable: ${(error as Error).message}`;
    }
  })();
  reachability.set('mysql', probe);
  return probe;
}

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function scratchName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** A new, empty PostgreSQL database; drop() removes it (and any sessions still in it). */
export async function createPostgresDatabase(prefix = 'ferry_test'): Promise<ScratchDatabase> {
  const name = scratchName(prefix);
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: postgresAdminUrl });
      await client.connect();
      try {
        await waitForSessionsToLeave(client, name);
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A pool's end() resolves once its clients are told to terminate, not once their backends have gone. Forcing the
 * drop meanwhile makes such a backend send "terminating connection due to administrator command" to a client that
 * is already leaving, and a pool without an 'error' listener turns that into an uncaught exception in whichever test
 * file dropped its database. So the drop first gives those sessions a moment to leave by themselves; anything still
 * connected after that (a leak) is forced out as before.
 */
async function waitForSessionsToLeave(client: pg.Client, database: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ sessions: number }>(
      'select count(*)::int as sessions from pg_stat_activity where datname = $1',
      [database],
    );
    if (rows[0]!.sessions === 0 || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A new, empty MariaDB/MySQL database; drop() removes it. */
export async function createMysqlDatabase(prefix = 'ferry_test'): Promise<ScratchDatabase> {
  const name = scratchName(prefix);
  const admin = await mysql.createConnection({ uri: mysqlAdminUrl });
  try {
    await admin.query(`create database \`${name}\``);
  } finally {
    await admin.end();
  }
  const url = new URL(mysqlAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const connection = await mysql.createConnection({ uri: mysqlAdminUrl });
      try {
        await connection.query(`drop database if exists \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

// What the server says about its binary log: which flavour it is (MariaDB and MySQL name GTIDs and statements
// differently), where the log ends now, and how large each retained file is.
import type { RunContext } from '../../domain/run-context.ts';
import type { MysqlClient } from './mysql-client.ts';

/** Runs one statement and returns its rows: the pool's query, or a held connection's. */
export type MysqlQuery = <T>(text: string, values?: unknown[]) => Promise<T>;

export const poolQuery =
  (context: RunContext, client: MysqlClient): MysqlQuery =>
  <T>(text: string, values?: unknown[]) =>
    client.query<T>(context, text, values);

/** The server's errno of a driver error, or of the one a ConnectorError wraps. */
export function serverErrno(error: unknown): number | undefined {
  const own = (error as { errno?: unknown } | null)?.errno;
  if (typeof own === 'number') return own;
  const cause = (error as { cause?: { errno?: unknown } } | null)?.cause?.errno;
  return typeof cause === 'number' ? cause : undefined;
}

export interface MysqlServerFlavour {
  mariadb: boolean;
  version: string;
  /** MySQL: gtid_mode is ON, so positions carry gtid_executed. MariaDB always has GTIDs. */
  gtids: boolean;
}

export async function serverFlavour(query: MysqlQuery): Promise<MysqlServerFlavour> {
  const [row] = await query<{ version: string }[]>('select version() as version');
  const version = row?.version ?? '';
  const mariadb = /mariadb/i.test(version);
  if (mariadb) return { mariadb, version, gtids: true };
  const [mode] = await query<{ mode: string | null }[]>('select @@global.gtid_mode as mode').catch(() => []);
  return { mariadb, version, gtids: mode?.mode === 'ON' };
}

/** The GTID state of everything in the log so far, in the flavour's resume form; undefined without GTIDs. */
export async function currentGtids(query: MysqlQuery, flavour: MysqlServerFlavour): Promise<string | undefined> {
  if (!flavour.gtids) return undefined;
  const variable = flavour.mariadb ? '@@global.gtid_binlog_pos' : '@@global.gtid_executed';
  const [row] = await query<{ gtids: string | null }[]>(`select ${variable} as gtids`);
  return (row?.gtids ?? '').replace(/\s/g, '');
}

/** The log's end now: SHOW MASTER STATUS, which MySQL 8.4 renamed SHOW BINARY LOG STATUS. */
export async function currentBinlogEnd(query: MysqlQuery): Promise<{ file: string; offset: number } | undefined> {
  const rows = await query<{ File: string; Position: number | string }[]>('show master status').catch(
    async (error: unknown) => {
      if (serverErrno(error) !== 1064) throw error;
      return query<{ File: string; Position: number | string }[]>('show binary log status');
    },
  );
  const [row] = rows;
  return row ? { file: row.File, offset: Number(row.Position) } : undefined;
}

export async function binaryLogFiles(query: MysqlQuery): Promise<{ name: string; size: number }[]> {
  const rows = await query<{ Log_name: string; File_size: number | string }[]>('show binary logs');
  return rows.map((row) => ({ name: row.Log_name, size: Number(row.File_size) }));
}

// What change capture needs from a MySQL or MariaDB server, each checked and named in plain words: the binary log on,
// in row format with full row images, an account that may read it as a replica does, and (per table) a primary key.
import type { RunContext } from '../../domain/run-context.ts';
import type { ChangeCaptureRequirement } from '../change-capture.ts';
import { errorMessage } from '../connector-error.ts';
import { type MysqlServerFlavour, poolQuery, serverFlavour } from './mysql-binlog-status.ts';
import type { MysqlClient } from './mysql-client.ts';
import { describeMysqlTables } from './mysql-introspector.ts';

/** Privileges granted on *.* (replication privileges are global), upper-case, from SHOW GRANTS lines. */
export function globalPrivileges(grants: string[]): Set<string> {
  const privileges = new Set<string>();
  for (const grant of grants) {
    const match = /^GRANT\s+(.+?)\s+ON\s+\*\.\*\s+TO\s/i.exec(grant.trim());
    if (!match) continue;
    for (const privilege of match[1]!.split(',')) privileges.add(privilege.trim().replace(/\s+/g, ' ').toUpperCase());
  }
  return privileges;
}

/** The privileges each needed right is known by: MariaDB 10.5 renamed REPLICATION CLIENT to BINLOG MONITOR. */
const replicationRights = [
  {
    name: 'replication_slave_grant',
    privilege: 'REPLICATION SLAVE',
    accepted: ['REPLICATION SLAVE', 'REPLICATION REPLICA'],
    why: 'to read the binlog as a replica does',
  },
  {
    name: 'replication_client_grant',
    privilege: 'REPLICATION CLIENT',
    accepted: ['REPLICATION CLIENT', 'BINLOG MONITOR'],
    why: 'to read the binlog position (SHOW MASTER STATUS, SHOW BINARY LOGS)',
  },
];

// MySQL has no lock-free snapshot position (MariaDB does): FLUSH TABLES WITH READ LOCK needs RELOAD.
const snapshotLockRight = {
  name: 'reload_grant',
  privilege: 'RELOAD',
  accepted: ['RELOAD'],
  why: 'to open the initial snapshot at a binlog position (FLUSH TABLES WITH READ LOCK, held for milliseconds)',
};

function grantRequirements(privileges: Set<string>, flavour: MysqlServerFlavour): ChangeCaptureRequirement[] {
  const all = privileges.has('ALL PRIVILEGES') || privileges.has('ALL');
  const rights = flavour.mariadb ? replicationRights : [...replicationRights, snapshotLockRight];
  return rights.map((right) => {
    const held = all || right.accepted.some((privilege) => privileges.has(privilege));
    const spelled =
      right.privilege === 'REPLICATION CLIENT' && flavour.mariadb
        ? 'BINLOG MONITOR (REPLICATION CLIENT)'
        : right.privilege;
    return {
      name: right.name,
      ok: held,
      message: held
        ? `The account has ${spelled}`
        : `The account lacks ${spelled}, needed ${right.why}: GRANT ${right.privilege} ON *.* TO the account`,
    };
  });
}

function variableRequirement(name: string, value: string | undefined, wanted: string): ChangeCaptureRequirement {
  const found = (value ?? 'unknown').toUpperCase();
  const ok = found === wanted;
  return {
    name,
    ok,
    message: ok ? `${name} is ${wanted}` : `${name} is ${found}; set ${name}=${wanted} in the server's configuration`,
  };
}

// A warning, not a refusal: without FULL, the log's rows carry no column names, so they are matched to the table's columns as
// they are when the stream reads them. A column added anywhere but last, or dropped, while a stream is behind makes
// the older rows decode wrongly or stop the stream. A warning.
function rowMetadataRequirement(value: string | null | undefined): ChangeCaptureRequirement {
  const found = (value ?? 'not available').toUpperCase();
  if (found === 'FULL') return { name: 'binlog_row_metadata', ok: true, message: 'binlog_row_metadata is FULL' };
  return {
    name: 'binlog_row_metadata',
    ok: false,
    warning: true,
    message: `binlog_row_metadata is ${found}, so binlog rows carry no column names and are read with the table's current columns; a column added other than last, or dropped, while a stream is behind breaks decoding of the older rows. Set binlog_row_metadata=FULL (MySQL 8.0+, MariaDB 10.5+) to avoid it`,
  };
}

async function tableRequirements(
  context: RunContext,
  client: MysqlClient,
  schemaIds: string[],
): Promise<ChangeCaptureRequirement[]> {
  const requirements: ChangeCaptureRequirement[] = [];
  for (const schemaId of schemaIds) {
    const [schema] = await describeMysqlTables(context, client, schemaId);
    const name = `primary_key:${schemaId}`;
    if (!schema) {
      requirements.push({ name, ok: false, message: `Table ${schemaId} does not exist` });
      continue;
    }
    const key = schema.fields.filter((field) => field.is_primary_key).map((field) => field.id);
    requirements.push(
      key.length > 0
        ? { name, ok: true, message: `Table ${schemaId} has a primary key (${key.join(', ')})` }
        : {
            // Still workable: binlog_row_image=FULL gives whole old rows, so deletes match every column. A warning.
            name,
            ok: false,
            warning: true,
            message: `Table ${schemaId} has no primary key, so each delete matches the whole old row, and a destination holding duplicate rows loses all of them; add a primary key for exact deletes`,
          },
    );
  }
  return requirements;
}

export async function checkMysqlChangeCapture(
  context: RunContext,
  client: MysqlClient,
  schemaIds: string[] = [],
): Promise<ChangeCaptureRequirement[]> {
  const query = poolQuery(context, client);
  let flavour: MysqlServerFlavour;
  let variables: Record<string, string | null>;
  try {
    flavour = await serverFlavour(query);
    const [row] = await query<Record<string, string | number | null>[]>(
      'select @@global.log_bin as log_bin, @@global.binlog_format as binlog_format, @@global.binlog_row_image as binlog_row_image',
    );
    // binlog_row_metadata exists from MySQL 8.0 and MariaDB 10.5; older servers have no such variable.
    const [metadata] = await query<{ binlog_row_metadata: string | null }[]>(
      'select @@global.binlog_row_metadata as binlog_row_metadata',
    ).catch(() => []);
    if (row && metadata) row.binlog_row_metadata = metadata.binlog_row_metadata;
    variables = Object.fromEntries(
      Object.entries(row ?? {}).map(([key, value]) => [key, value === null ? null : String(value)]),
    );
  } catch (error: unknown) {
    return [{ name: 'connection', ok: false, message: `Cannot read the server's settings: ${errorMessage(error)}` }];
  }
  const logBin = variables.log_bin === '1' || variables.log_bin?.toUpperCase() === 'ON' ? 'ON' : 'OFF';
  const requirements = [
    logBin === 'ON'
      ? { name: 'log_bin', ok: true, message: 'Binary logging is on (log_bin)' }
      : {
          name: 'log_bin',
          ok: false,
          message: 'Binary logging is off; start the server with log_bin (and a server_id) so changes reach the binlog',
        },
    variableRequirement('binlog_format', variables.binlog_format ?? undefined, 'ROW'),
    variableRequirement('binlog_row_image', variables.binlog_row_image ?? undefined, 'FULL'),
    rowMetadataRequirement(variables.binlog_row_metadata),
  ];
  const grants = await query<Record<string, string>[]>('show grants for current_user()').catch(() => undefined);
  if (grants)
    requirements.push(
      ...grantRequirements(globalPrivileges(grants.map((row) => Object.values(row)[0] ?? '')), flavour),
    );
  else requirements.push({ name: 'grants', ok: false, message: "Cannot read the account's grants (SHOW GRANTS)" });
  requirements.push(...(await tableRequirements(context, client, schemaIds)));
  return requirements;
}

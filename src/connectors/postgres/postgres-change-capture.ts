// PostgreSQL's change-capture facet: one logical replication slot (pgoutput) per stream, named after it, and the
// publication it reads (postgres-publication.ts). start() creates the slot with an exported snapshot, held open by
// its walsender session until release(), so the initial copy reads exactly the data before the slot's consistent
// point; stream() reads the slot from a position (postgres-change-stream.ts).
import { type Clock, systemClock } from '../../domain/clock.ts';
import type { RunContext } from '../../domain/run-context.ts';
import type { ChangeCaptureSource } from '../change-capture.ts';
import { ConnectorError } from '../connector-error.ts';
import type { PostgresClient } from './postgres-client.ts';
import type { PostgresConfiguration } from './postgres-configuration.ts';
import { checkPostgresChangeCapture } from './postgres-change-capture-requirements.ts';
import { openPostgresChangeStream } from './postgres-change-stream.ts';
import { isLsn, laterLsn, parseLsn } from './postgres-lsn.ts';
import { splitSchemaId } from './postgres-introspector.ts';
import {
  dropFerryPublication,
  ensurePublication,
  findPublication,
  publicationName,
  unpublishedTables,
} from './postgres-publication.ts';
import { openReplicationConnection } from './postgres-replication-connection.ts';

/** Replication slot names: lower-case letters, digits and underscores, at most NAMEDATALEN - 1 bytes. */
const slotNamePattern = /^[a-z0-9_]{1,63}$/;
/** How long drop() waits for a terminated walsender to let go of its slot. */
const releaseWaitMilliseconds = 5000;

function checkedStreamId(streamId: string): string {
  if (!slotNamePattern.test(streamId))
    throw new ConnectorError(
      `Stream id "${streamId}" is not a valid replication slot name (lower-case letters, digits and _, at most 63)`,
      { code: 'invalid_configuration' },
    );
  return streamId;
}

interface SlotRow {
  confirmed_flush_lsn: string | null;
  active_pid: number | null;
}

async function findSlot(context: RunContext, client: PostgresClient, slot: string): Promise<SlotRow | undefined> {
  const { rows } = await client.query<SlotRow>(
    context,
    `select confirmed_flush_lsn::text as confirmed_flush_lsn, active_pid from pg_replication_slots
     where slot_name = $1 and database = current_database()`,
    [slot],
  );
  return rows[0];
}

/** Drops a slot of this database, first ending the walsender that holds it (only that one). */
async function dropSlot(context: RunContext, client: PostgresClient, clock: Clock, slot: string): Promise<void> {
  const deadline = clock.nowMs() + releaseWaitMilliseconds;
  while (true) {
    const found = await findSlot(context, client, slot);
    if (!found) return;
    if (found.active_pid !== null) {
      await client.query(context, 'select pg_terminate_backend($1)', [found.active_pid]);
    } else {
      try {
        await client.query(context, 'select pg_drop_replication_slot($1)', [slot]);
        return;
      } catch (error: unknown) {
        // Raced with a walsender taking it, or another drop: look again.
        if (clock.nowMs() > deadline) throw error;
      }
    }
    if (clock.nowMs() > deadline)
      throw new ConnectorError(`Replication slot "${slot}" is still held by process ${found.active_pid}`, {
        code: 'transient',
        retryable: true,
      });
    await clock.sleep(50, context.signal);
  }
}

/**
 * A table the publication does not publish would stream nothing, silently: its changes would be lost. The stream's
 * tables are fixed at start(); a sync that gains one starts change capture again.
 */
async function requirePublished(
  context: RunContext,
  client: PostgresClient,
  configuration: PostgresConfiguration,
  slot: string,
  schemaIds: string[],
): Promise<void> {
  const name = publicationName(configuration, slot);
  const publication = await findPublication(context, client, name);
  if (!publication)
    throw new ConnectorError(`Publication "${name}" does not exist`, { code: 'object_missing', field: 'publication' });
  const missing = unpublishedTables(
    publication,
    schemaIds.map((schemaId) => splitSchemaId(schemaId).join('.')),
  );
  if (missing.length > 0)
    throw new ConnectorError(
      `Publication "${name}" does not publish ${missing.join(', ')}: their changes would be lost; start change capture again for the new tables`,
      { code: 'invalid_configuration', field: 'publication' },
    );
}

export function createPostgresChangeCapture(
  client: PostgresClient,
  configuration: PostgresConfiguration,
  clock: Clock = systemClock,
): ChangeCaptureSource {
  const capture: ChangeCaptureSource = {
    check: (context, schemaIds) => checkPostgresChangeCapture(context, client, configuration, schemaIds),

    async start(context, request) {
      const slot = checkedStreamId(request.streamId);
      const failing = (await capture.check(context, request.schemaIds)).filter((item) => !item.ok && !item.warning);
      if (failing.length > 0)
        throw new ConnectorError(
          `PostgreSQL is not ready for change capture: ${failing.map((item) => item.message).join('; ')}`,
          { code: 'invalid_configuration' },
        );
      await ensurePublication(context, client, configuration, request);
      // start() is called only when no position is stored, so a slot of this name is a failed start's leftover.
      await dropSlot(context, client, clock, slot);
      const connection = await openReplicationConnection(context, configuration);
      try {
        const [created] = await connection.query<{ consistent_point: string; snapshot_name: string }>(
          context,
          `CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput EXPORT_SNAPSHOT`,
        );
        if (!created) throw new ConnectorError('CREATE_REPLICATION_SLOT returned no row', { code: 'unknown' });
        return {
          position: created.consistent_point,
          // The snapshot lives as long as the session that exported it stays idle.
          snapshot: { id: created.snapshot_name, release: () => connection.close() },
        };
      } catch (error: unknown) {
        await connection.close();
        throw error;
      }
    },

    async stream(context, request) {
      const slot = checkedStreamId(request.streamId);
      if (!isLsn(request.from))
        throw new ConnectorError(`"${request.from}" is not a PostgreSQL position`, { code: 'invalid_configuration' });
      const { rows } = await client.query<{ confirmed: string | null; current: string; timeout: number }>(
        context,
        `select (select confirmed_flush_lsn::text from pg_replication_slots
                 where slot_name = $1 and database = current_database()) as confirmed,
                pg_current_wal_lsn()::text as current,
                (select setting::int from pg_settings where name = 'wal_sender_timeout') as timeout`,
        [slot],
      );
      const state = rows[0];
      if (!state?.confirmed)
        throw new ConnectorError(`Replication slot "${slot}" does not exist`, { code: 'object_missing' });
      await requirePublished(context, client, configuration, slot, request.schemaIds);
      const requested = parseLsn(request.from);
      const confirmed = parseLsn(state.confirmed);
      const connection = await openReplicationConnection(context, configuration);
      return openPostgresChangeStream({
        context,
        clock,
        connection,
        catalog: client,
        slot,
        publication: publicationName(configuration, slot),
        schemaIds: request.schemaIds,
        from: laterLsn(requested, confirmed),
        stopAt: request.stopAtCurrent ? parseLsn(state.current) : undefined,
        maxChanges: Math.max(1, Math.floor(request.maxChanges)),
        walSenderTimeoutMilliseconds: state.timeout,
      });
    },

    async lag(context, streamId) {
      const { rows } = await client.query<{ behind: string | null }>(
        context,
        `select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text as behind
         from pg_replication_slots where slot_name = $1 and database = current_database()`,
        [streamId],
      );
      const behind = rows[0]?.behind;
      return behind === undefined || behind === null ? undefined : { bytesBehind: Number(behind) };
    },

    async drop(context, streamId) {
      await dropSlot(context, client, clock, checkedStreamId(streamId));
      await dropFerryPublication(context, client, streamId);
    },

    async list(context, prefix) {
      const { rows } = await client.query<{ slot_name: string }>(
        context,
        `select slot_name from pg_replication_slots
         where database = current_database() and slot_type = 'logical' and starts_with(slot_name, $1)
         order by slot_name`,
        [prefix],
      );
      return rows.map((row) => row.slot_name);
    },
  };
  return capture;
}

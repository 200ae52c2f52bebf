// The parts of the API's answers the CLI reads, taken from unknown JSON field by field: a server of another
// version, or a proxy's error page, gives empty values or a CliError, never a TypeError deep in a command.
import { CliError } from './api-client.ts';

type Json = Record<string, unknown>;

export function objectOf(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

export const text = (value: unknown): string => (typeof value === 'string' ? value : '');
export const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** `{ data: … }`, the envelope of every answer. */
export function dataOf(body: unknown): unknown {
  return objectOf(body).data;
}

export function listOf(body: unknown): Json[] {
  const data = dataOf(body);
  return Array.isArray(data) ? data.map(objectOf) : [];
}

export function nextPageToken(body: unknown): string | undefined {
  return text(objectOf(objectOf(body).pagination).next_page_token) || undefined;
}

/** An object's id, which every command needs: without it the answer is not what was asked for. */
export function idOf(value: unknown, what: string): string {
  const id = text(objectOf(value).id);
  if (!id) throw new CliError(`the server's answer has no ${what} id`);
  return id;
}

export interface SyncSummary {
  id: string;
  name: string;
  active: boolean;
  mode: string;
  frequency: string;
  target: string;
}

export function syncSummaryOf(sync: Json): SyncSummary {
  const schedule = objectOf(sync.default_schedule ?? sync.schedule);
  return {
    id: text(sync.id),
    name: text(sync.name),
    active: sync.active === true,
    mode: text(sync.mode),
    frequency: text(schedule.frequency) || text(schedule.type),
    target: text(sync.target_object),
  };
}

export interface EntitySummary {
  type: string;
  /** Related entities' ids by relationship name (sync, bulk_sync, …). */
  related: Record<string, string>;
}

export function entityOf(body: unknown): EntitySummary {
  const data = objectOf(dataOf(body));
  const related: Record<string, string> = {};
  for (const [name, value] of Object.entries(objectOf(data.relationships))) related[name] = text(objectOf(value).id);
  return { type: text(data.type), related };
}

// Idempotent requests (Idempotency-Key on POST, PUT, PATCH and DELETE). Within 24 h the same key with the same
// request replays the first response; with a different request it is a 422; while the first is still running, a 409.
// Requests that fail validation never reach the gate, so nothing is remembered for them (no work started).
// Server failures (5xx) release the key so that a retry can do the work; every other outcome is remembered.
import { createHash } from 'node:crypto';
import { ferryDefaults } from '../config.ts';
import type { IdempotencyRepository } from '../persistence/repositories/idempotency-repository.ts';
import { ApiError } from './errors.ts';

export const idempotencyHeader = 'idempotency-key';
export const replayHeader = 'idempotent-replayed';

/** An in-flight claim older than this (5 minutes) belongs to a process that died; a retry may take it over. */
const abandonedAfterMs = ferryDefaults.idempotencyAbandonedAfterMs;

export interface IdempotentRequest {
  scope: string;
  key: string;
  version: string;
  method: string;
  path: string;
  body: unknown;
}

export type IdempotencyDecision =
  | { kind: 'proceed'; complete(status: number, body: string | undefined): Promise<void>; release(): Promise<void> }
  | { kind: 'replay'; status: number; body: string | undefined };

export function validateIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value))
    throw new ApiError('idempotency_key_invalid', 'Idempotency-Key was sent more than once', {
      metadata: { field: 'Idempotency-Key' },
    });
  if (value.length < 8 || value.length > 255) {
    throw new ApiError('idempotency_key_invalid', `Idempotency-Key must be 8 to 255 characters (got ${value.length})`, {
      metadata: { field: 'Idempotency-Key' },
    });
  }
  return value;
}

function fingerprint(request: IdempotentRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.version, request.method, request.path, request.body ?? null]))
    .digest('hex');
}

export function createIdempotencyGate(
  repository: IdempotencyRepository,
  ttlMs: number,
  now: () => Date = () => new Date(),
) {
  return async function decide(request: IdempotentRequest): Promise<IdempotencyDecision> {
    const print = fingerprint(request);
    const at = now();
    const claim = await repository.claim(
      request.scope,
      request.key,
      print,
      at,
      ttlMs,
      new Date(at.getTime() - abandonedAfterMs),
    );
    if (claim.outcome === 'existing') {
      const { record } = claim;
      if (record.state === 'in_flight') throw new ApiError('idempotency_request_in_flight');
      if (record.fingerprint !== print) {
        throw new ApiError('idempotency_key_reused', undefined, { metadata: { field: 'Idempotency-Key' } });
      }
      return { kind: 'replay', status: record.response_status ?? 200, body: record.response_body || undefined };
    }
    return {
      kind: 'proceed',
      complete: async (status, body) => {
        if (status >= 500) await repository.release(request.scope, request.key);
        else await repository.complete(request.scope, request.key, status, body ?? '', request.version);
      },
      release: () => repository.release(request.scope, request.key),
    };
  };
}

export type IdempotencyGate = ReturnType<typeof createIdempotencyGate>;

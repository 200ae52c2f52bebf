// A model row as a run considers it: its key, its target record and that record's canonical JSON, and how it compares
// with the state. The content hash and the identity are made on first read: a row the state cache finds unchanged by
// its JSON is never hashed, and most rows of most runs are such rows.
import type { Row } from '../../connectors/records.ts';
import type { Candidate, Previous } from './batch-classifier.ts';
import { jsonHash } from './record-hash.ts';

export class ConsideredRecord implements Candidate {
  readonly key: string;
  /** recordJson(record): what the hash is taken of, and what the records log line embeds. */
  readonly json: string;
  readonly record: Row;
  previous: Previous = 'none';
  #hash: string | undefined;
  readonly #identityField: string | undefined;
  #identity: Row | undefined;

  /** The model values the record and key are made of, when the run notes rows for the next one (RecordState.values). */
  readonly values: unknown[] | undefined;

  /** `identityField`: the target field the identity is matched on, if the mode has one. */
  constructor(
    key: string,
    json: string,
    record: Row,
    identityField: string | undefined,
    hash?: string,
    values?: unknown[],
  ) {
    this.key = key;
    this.json = json;
    this.record = record;
    this.#identityField = identityField;
    this.#hash = hash;
    this.values = values;
  }

  get hash(): string {
    this.#hash ??= jsonHash(this.json);
    return this.#hash;
  }

  /** The target identity field and value (empty without identity), built when a send or a state commit needs it. */
  get identity(): Row {
    if (this.#identity === undefined) {
      const field = this.#identityField;
      this.#identity = field === undefined ? {} : { [field]: this.record[field] };
    }
    return this.#identity;
  }
}

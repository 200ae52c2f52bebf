// What a handler throws to give its job back without using up an attempt: the queue releases the job and offers it
// again after `deferMs` (retryHints reads the field, so any error carrying it works the same).
export class JobHandedBack extends Error {
  readonly deferMs: number;

  constructor(message: string, deferMs: number) {
    super(message);
    this.name = 'JobHandedBack';
    this.deferMs = deferMs;
  }
}

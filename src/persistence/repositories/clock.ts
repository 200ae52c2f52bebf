// Timestamps are ISO-8601 UTC text in the database (see schema.ts).
export function nowIso(): string {
  return new Date().toISOString();
}

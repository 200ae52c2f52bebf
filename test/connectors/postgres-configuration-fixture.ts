// A `postgresql` connection configuration for a scratch database (ssl off: the test server has none).
import type { ScratchDatabase } from '../kit/services.ts';

export function postgresConfiguration(database: ScratchDatabase): Record<string, unknown> {
  const url = new URL(database.url);
  return {
    hostname: url.hostname,
    port: Number(url.port || 5432),
    database: database.name,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ssl: false,
  };
}

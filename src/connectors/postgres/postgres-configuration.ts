// Polytomic's `postgresql` configuration keys (as the API's connection configurations name them).
import type { ConfigurationSchema } from '../configuration-schema.ts';

export interface PostgresConfiguration {
  hostname: string;
  port: number;
  database: string;
  username: string;
  password?: string;
  ssl: boolean;
  ca_cert?: string;
  /** Bulk syncs read the log (logical replication, pgoutput) instead of scanning tables: Connection.changeCapture. */
  change_detection: boolean;
  /** The publication change capture reads; when empty Ferry creates one per sync for exactly its tables. */
  publication?: string;
}

export const postgresConfigurationSchema: ConfigurationSchema = {
  type: 'object',
  properties: {
    hostname: { type: 'string', title: 'Host' },
    port: { type: 'integer', title: 'Port', default: 5432, minimum: 1, maximum: 65535 },
    database: { type: 'string', title: 'Database' },
    username: { type: 'string', title: 'User name' },
    password: { type: 'string', title: 'Password', 'x-sensitive': true },
    ssl: { type: 'boolean', title: 'Use SSL', default: true },
    ca_cert: {
      type: 'string',
      title: 'CA certificate',
      description: 'When set, the server certificate is verified against it',
      'x-sensitive': true,
    },
    change_detection: { type: 'boolean', title: 'Use logical replication for bulk syncs', default: false },
    publication: { type: 'string', title: 'Publication' },
  },
  required: ['hostname', 'database', 'username'],
};

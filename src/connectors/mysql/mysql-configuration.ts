// Polytomic's `mysql` configuration keys (as the API's connection configurations name them).
import type { ConfigurationSchema } from '../configuration-schema.ts';

export interface MysqlConfiguration {
  hostname: string;
  port: number;
  account: string;
  passwd?: string;
  dbname: string;
  ssl: boolean;
  /** Bulk syncs read changes from the binlog (Connection.changeCapture) instead of scanning tables. */
  change_detection: boolean;
}

export const mysqlConfigurationSchema: ConfigurationSchema = {
  type: 'object',
  properties: {
    hostname: { type: 'string', title: 'Host' },
    port: { type: 'integer', title: 'Port', default: 3306, minimum: 1, maximum: 65535 },
    account: { type: 'string', title: 'Username' },
    passwd: { type: 'string', title: 'Password', 'x-sensitive': true },
    dbname: { type: 'string', title: 'Database' },
    ssl: { type: 'boolean', title: 'Use SSL', default: true },
    change_detection: { type: 'boolean', title: 'Use replication for bulk syncs', default: false },
  },
  required: ['hostname', 'account', 'dbname'],
};

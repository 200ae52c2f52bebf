// The connections of the list scenarios, stored as POST /api/connections stores them (configuration sealed whole),
// without its connection test: a mix of the two common kinds, PostgreSQL with a password and an HTTP API whose URL,
// auth header and query parameters carry secrets, so that the list redacts something in every row.
import { randomUUID } from 'node:crypto';
import type { Ferry } from '../../src/ferry.ts';

function configurationOf(index: number): { type: string; configuration: Record<string, unknown> } {
  if (index % 2 === 0)
    return {
      type: 'postgresql',
      configuration: {
        hostname: `db-${index}.example.com`,
        port: 5432,
        database: 'analytics',
        username: `reader_${index}`,
        password: `password-${index}`,
        ssl: true,
      },
    };
  return {
    type: 'api',
    configuration: {
      url: `https://user${index}:secret${index}@api.example.com/v1?api_key=key-${index}`,
      auth: { header: { name: 'Authorization', value: `Bearer token-${index}` } },
      headers: [
        { name: 'Accept', value: 'application/json' },
        { name: 'X-Api-Key', value: `key-${index}` },
      ],
      parameters: [{ name: 'tenant', value: `tenant-${index}` }],
      healthcheck: '/health',
    },
  };
}

export async function seedConnections(ferry: Ferry, organizationId: string, count: number): Promise<void> {
  const { repositories, secretBox } = ferry.context;
  const actor = JSON.stringify({ id: randomUUID(), name: 'bench@example.com', type: 'user' });
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let index = 0; index < count; index += 1) {
    const { type, configuration } = configurationOf(index);
    const at = new Date(start + index * 1000).toISOString();
    await repositories.connections.insert({
      id: randomUUID(),
      organization_id: organizationId,
      name: `Connection ${index}`,
      type,
      configuration_sealed: secretBox.seal(JSON.stringify(configuration)),
      parent_connection_id: null,
      policies: '[]',
      healthcheck_interval: null,
      status: 'healthy',
      status_error: null,
      created_at: at,
      created_by: actor,
      updated_at: at,
      updated_by: actor,
    });
  }
}

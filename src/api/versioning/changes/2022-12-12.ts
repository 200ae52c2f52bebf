// 2023-04-25 → 2022-12-12, from the SDK's history (its commit 83a18ec and SDK 0.0.1).
import Type from 'typebox';
import type { VersionChange } from '../version-change.ts';
import { composed, notRequired, withProperties } from '../schema-effects.ts';

type Body = Record<string, unknown>;
const discoverFields = ['automatically_add_new_fields', 'automatically_add_new_objects'] as const;

/** 2022-12-12 sends booleans where later versions send BulkDiscover values. */
function upgradeDiscover(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const body = { ...(value as Body) };
  for (const field of discoverFields) if (typeof body[field] === 'boolean') body[field] = body[field] ? 'all' : 'none';
  return body;
}

/** 2022-12-12's create leaves destination_configuration optional: without it, the destination's defaults apply. */
function upgradeCreate(value: unknown): unknown {
  const body = upgradeDiscover(value);
  if (typeof body !== 'object' || body === null || 'destination_configuration' in body) return body;
  return { ...body, destination_configuration: {} };
}

function downgradeDiscover(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const body = { ...(value as Body) };
  for (const field of discoverFields) if (typeof body[field] === 'string') body[field] = body[field] !== 'none';
  return body;
}

const booleanDiscover = withProperties({
  automatically_add_new_fields: Type.Boolean(),
  automatically_add_new_objects: Type.Boolean(),
});

const optionalDestinationConfiguration = composed(booleanDiscover, notRequired('destination_configuration'));

export const change20221212: VersionChange = {
  version: '2022-12-12',
  description:
    '2022-12-12 has the same routes as 2023-04-25. Its bulk-sync `automatically_add_new_fields` and `automatically_add_new_objects` are booleans rather than BulkDiscover values.',
  rules: [
    'Where nothing is known of a difference, 2022-12-12 behaves like 2023-04-25.',
    "A bulk-sync create may leave out destination_configuration (the SDK typed 2022-12-12 has it optional): it is then `{}`, so the destination connection's defaults apply (its default schema or database).",
    'automatically_add_new_*: true is `all` and false is `none` going up; going down, `none` is false and every other value (all, onlyIncremental, onlyNonIncremental) is true, since something new is added.',
  ],
  instructions: [
    {
      kind: 'type-converted',
      type: 'CreateBulkSyncRequest',
      up: upgradeCreate,
      schema: optionalDestinationConfiguration,
    },
    { kind: 'type-converted', type: 'UpdateBulkSyncRequest', up: upgradeDiscover, schema: booleanDiscover },
    { kind: 'type-converted', type: 'BulkSyncResponse', down: downgradeDiscover, schema: booleanDiscover },
  ],
};

// Entity lookup (the 2025-09-18 API reference: EntityResponse, EntityRelationship).
import Type from 'typebox';
import { Envelope } from '../envelope.ts';

const EntityRelationship = Type.Object(
  { id: Type.Optional(Type.String()), path: Type.Optional(Type.String()) },
  { title: 'EntityRelationship' },
);

const EntityResponse = Type.Object(
  {
    id: Type.Optional(Type.String()),
    type: Type.Optional(
      Type.String({
        description: 'organization|user|connection|model|sync|sync_execution|bulk_sync|bulk_sync_execution',
      }),
    ),
    organization_id: Type.Optional(
      Type.String({ description: 'Omitted on the organization-scoped GET /api/entities/{id}.' }),
    ),
    canonical_path: Type.Optional(Type.String()),
    relationships: Type.Optional(Type.Record(Type.String(), EntityRelationship)),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { title: 'EntityResponse' },
);

export const EntityResponseEnvelope = Envelope('EntityResponseEnvelope', EntityResponse);

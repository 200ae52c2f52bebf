// Response envelopes: every JSON body is `{data: …}` (types-2025-09-18.md, Notes).
import Type, { type TSchema } from 'typebox';

export function Envelope<T extends TSchema>(title: string, data: T) {
  return Type.Object({ data: Type.Optional(data) }, { title });
}

export function ListEnvelope<T extends TSchema>(title: string, item: T) {
  return Type.Object({ data: Type.Optional(Type.Array(item)) }, { title });
}

export const IdParams = Type.Object({ id: Type.String() });

// Response envelopes: every JSON body is `{data: …}` (the 2025-09-18 API reference, Notes).
import Type, { type TSchema } from 'typebox';

export function Envelope<T extends TSchema>(title: string, data: T) {
  return Type.Object({ data: Type.Optional(data) }, { title });
}

export function ListEnvelope<T extends TSchema>(title: string, item: T) {
  return Type.Object({ data: Type.Optional(Type.Array(item)) }, { title });
}

/** The spec's PaginationDetails: an opaque cursor for the next page, absent on the last one. */
export const PaginationDetails = Type.Object(
  { next_page_token: Type.Optional(Type.String()) },
  { title: 'PaginationDetails' },
);

/** `{data: T[], pagination?}`: a page of a keyset-paginated list. */
export function PagedListEnvelope<T extends TSchema>(title: string, item: T) {
  return Type.Object(
    { data: Type.Optional(Type.Array(item)), pagination: Type.Optional(PaginationDetails) },
    { title },
  );
}

export const IdParams = Type.Object({ id: Type.String() });

// Walks a value alongside its (newest-version) JSON Schema and applies a function to every sub-value whose schema
// has a `title` in the given map. Values are never mutated: changed objects and arrays are copied.

/** The parts of a JSON Schema node the walk reads. */
interface Schema {
  title?: unknown;
  type?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}
export type TypeConverter = (value: unknown) => unknown;

const titlesCache = new WeakMap<object, Set<string>>();

/** Every type name (title) used anywhere inside a schema. */
function titlesIn(schema: Schema): Set<string> {
  const cached = titlesCache.get(schema);
  if (cached) return cached;
  const titles = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Schema;
    if (typeof record.title === 'string') titles.add(record.title);
    for (const child of childSchemas(record)) visit(child);
  };
  visit(schema);
  titlesCache.set(schema, titles);
  return titles;
}

const relevanceCache = new WeakMap<Map<string, TypeConverter>, WeakMap<object, boolean>>();

/**
 * Whether any type a converter changes occurs inside a schema: the walk goes down only where one does, instead of
 * visiting every field of every object (which cost more than the conversion itself: bench/README.md). Converter maps
 * are built once per endpoint and version, so the answer is cached per map and schema node.
 */
function reachesConverter(schema: Schema, converters: Map<string, TypeConverter>): boolean {
  let known = relevanceCache.get(converters);
  if (!known) {
    known = new WeakMap();
    relevanceCache.set(converters, known);
  }
  let relevant = known.get(schema);
  if (relevant === undefined) {
    relevant = false;
    for (const title of titlesIn(schema))
      if (converters.has(title)) {
        relevant = true;
        break;
      }
    known.set(schema, relevant);
  }
  return relevant;
}

const propertiesCache = new WeakMap<Map<string, TypeConverter>, WeakMap<object, Array<[string, Schema]>>>();

/**
 * The properties of an object schema that a converter's type occurs in: the only ones the walk needs to visit (the
 * others come back unchanged). Cached like reachesConverter, so that an object in a list of a thousand costs the
 * visit of its converted properties rather than a look-up for each of its fields.
 */
function convertedProperties(
  properties: Record<string, Schema>,
  converters: Map<string, TypeConverter>,
): Array<[string, Schema]> {
  let known = propertiesCache.get(converters);
  if (!known) {
    known = new WeakMap();
    propertiesCache.set(converters, known);
  }
  let relevant = known.get(properties);
  if (!relevant) {
    relevant = Object.entries(properties).filter(([, propertySchema]) => reachesConverter(propertySchema, converters));
    known.set(properties, relevant);
  }
  return relevant;
}

function childSchemas(schema: Schema): unknown[] {
  const children: unknown[] = [];
  if (schema.properties) children.push(...Object.values(schema.properties));
  if (schema.items) children.push(schema.items);
  if (typeof schema.additionalProperties === 'object') children.push(schema.additionalProperties);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(schema[key])) children.push(...schema[key]);
  return children;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** For a union (e.g. `X | null`), the branch that fits the value's JSON type. */
function unionBranch(branches: Schema[], value: unknown): Schema | undefined {
  const jsonType =
    value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;
  return (
    branches.find((branch) => branch.type === jsonType || (jsonType === 'number' && branch.type === 'integer')) ??
    branches.find((branch) => branch.title)
  );
}

/**
 * `order: 'pre'` converts a node before its children (requests going up: the old shape must become the new one
 * before its parts can be found by the new schema); `'post'` after them (responses going down).
 */
export function walk(
  schema: Schema | undefined,
  value: unknown,
  converters: Map<string, TypeConverter>,
  order: 'pre' | 'post',
): unknown {
  if (!schema || value === undefined || converters.size === 0) return value;
  return visitNode(schema, value, converters, order);
}

function visitNode(
  schema: Schema,
  value: unknown,
  converters: Map<string, TypeConverter>,
  order: 'pre' | 'post',
): unknown {
  if (value === null || value === undefined || !reachesConverter(schema, converters)) return value;
  const convert = typeof schema.title === 'string' ? converters.get(schema.title) : undefined;
  let current = order === 'pre' && convert ? convert(value) : value;

  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) {
    const branch = unionBranch(union, current);
    if (branch) current = visitNode(branch, current, converters, order);
  } else if (schema.properties && isPlainObject(current)) {
    let copy: Record<string, unknown> | undefined;
    for (const [name, propertySchema] of convertedProperties(schema.properties, converters)) {
      if (!(name in current)) continue;
      const before = current[name];
      const after = visitNode(propertySchema, before, converters, order);
      if (after !== before) {
        copy ??= { ...current };
        if (after === undefined) delete copy[name];
        else copy[name] = after;
      }
    }
    if (copy) current = copy;
  } else if (schema.items && Array.isArray(current)) {
    const itemSchema = schema.items;
    let changed = false;
    const mapped = current.map((item) => {
      const after = visitNode(itemSchema, item, converters, order);
      if (after !== item) changed = true;
      return after;
    });
    if (changed) current = mapped;
  } else if (typeof schema.additionalProperties === 'object' && isPlainObject(current)) {
    const valueSchema = schema.additionalProperties;
    const entries = Object.entries(current).map(
      ([key, item]) => [key, visitNode(valueSchema, item, converters, order)] as const,
    );
    current = Object.fromEntries(entries);
  }

  return order === 'post' && convert ? convert(current) : current;
}

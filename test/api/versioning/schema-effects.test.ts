// Schema effects: every instruction that converts a body says what it does to the documented schema (so a version's
// document cannot silently keep the newer shape), and the declarative building blocks do what they say.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Type from 'typebox';
import { versionChanges } from '../../../src/api/versioning/changes/index.ts';
import {
  composed,
  noneRequired,
  plainSchema,
  replacedBy,
  withoutProperties,
  withProperties,
} from '../../../src/api/versioning/schema-effects.ts';

describe('schema effects', () => {
  test('every body conversion of every version change declares its schema effect', () => {
    const silent: string[] = [];
    for (const change of versionChanges)
      for (const instruction of change.instructions) {
        if (instruction.kind === 'type-converted' && !instruction.schema && !instruction.olderSchema)
          silent.push(`${change.version} type-converted ${instruction.type}`);
        if (instruction.kind === 'response-converted' && !instruction.schema && !instruction.olderSchema)
          silent.push(`${change.version} response-converted ${instruction.route}`);
      }
    assert.deepEqual(silent, []);
  });

  const newer = plainSchema(
    Type.Object(
      {
        id: Type.String(),
        mode: Type.Union([Type.Literal('all'), Type.Literal('none')]),
        note: Type.Optional(Type.String()),
      },
      { title: 'Thing' },
    ),
  );

  test('withoutProperties drops the properties and their required entries', () => {
    const older = withoutProperties('id', 'note')(newer);
    assert.deepEqual(Object.keys(older.properties as object), ['mode']);
    assert.deepEqual(older.required, ['mode']);
    assert.equal(older.title, 'Thing');
    assert.equal(withoutProperties('id', 'mode')(newer).required, undefined);
  });

  test('withProperties retypes in place, keeps required status, and requires only the added ones it names', () => {
    const older = withProperties({ mode: Type.Boolean(), schedule: Type.String() }, { required: ['schedule'] })(newer);
    assert.deepEqual((older.properties as Record<string, unknown>).mode, { type: 'boolean' });
    assert.deepEqual(older.required, ['id', 'mode', 'schedule']);
    assert.equal(withProperties({ extra: Type.String() })(newer).required?.toString(), 'id,mode');
  });

  test('replacedBy keeps its own title, or takes the newer one; composed applies in order; noneRequired', () => {
    assert.equal(replacedBy(Type.Object({}, { title: 'Other' }))(newer).title, 'Other');
    assert.equal(replacedBy(Type.Object({ x: Type.String() }))(newer).title, 'Thing');
    const older = composed(withoutProperties('mode'), withProperties({ mode: Type.Integer() }))(newer);
    assert.deepEqual((older.properties as Record<string, unknown>).mode, { type: 'integer' });
    assert.deepEqual(older.required, ['id']);
    assert.equal(noneRequired(newer).required, undefined);
  });
});

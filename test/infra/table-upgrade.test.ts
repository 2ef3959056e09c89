/**
 * Upgrading a table created with the legacy list indexes (GSI1–3, every attribute projected):
 * CloudFormation creates or deletes one global secondary index per update, so each step of
 * `indexUpgradeStep` must differ from the one before by exactly one index, the legacy indexes
 * must be defined as such tables hold them, and the last step must reach today's table.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LEGACY_LIST_INDEXES, TABLE } from '../../functions/store/table-definition';
import { parseParameters } from '../../lib/parameters';
import { EXAMPLE_PARAMETERS, synthesize } from './synth';

interface IndexSpec {
  IndexName: string;
  KeySchema: { AttributeName: string; KeyType: string }[];
  Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
}

function indexesOf(template: Template): Map<string, IndexSpec> {
  const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
  expect(tables).toHaveLength(1);
  const specs = (tables[0]?.Properties.GlobalSecondaryIndexes ?? []) as IndexSpec[];
  return new Map(specs.map((spec) => [spec.IndexName, spec]));
}

const steps = [1, 2, 3, 4, 5, undefined] as const;
const templates = new Map(
  steps.map((step) => [
    step,
    synthesize({ ...EXAMPLE_PARAMETERS, ...(step ? { indexUpgradeStep: step } : {}) }, { bundle: false }).template,
  ]),
);
const legacy = new Map(
  LEGACY_LIST_INDEXES.map((index) => [
    index.name,
    {
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ]),
);

describe('upgrading a table from the legacy list indexes', () => {
  it('starts from the legacy table plus one new index, and changes exactly one index per step', () => {
    const before = new Set<string>([...legacy.keys(), TABLE.indexes.byEmailState.name, TABLE.indexes.byExpiry.name]);
    let previous = before;
    for (const step of steps) {
      const names = new Set(indexesOf(templates.get(step) as Template).keys());
      const added = [...names].filter((name) => !previous.has(name));
      const removed = [...previous].filter((name) => !names.has(name));
      expect({ step, changes: added.length + removed.length }).toEqual({ step, changes: 1 });
      previous = names;
    }
  });

  it('keeps the legacy indexes exactly as such tables hold them while they remain', () => {
    for (const step of [1, 2, 3] as const) {
      const indexes = indexesOf(templates.get(step) as Template);
      for (const [name, spec] of legacy) expect(indexes.get(name), `step ${step} ${name}`).toEqual(spec);
    }
  });

  it('ends with the current indexes: the list indexes on listSK, keys only (byUser with the workspace partition)', () => {
    const indexes = indexesOf(templates.get(undefined) as Template);
    expect([...indexes.keys()].sort()).toEqual(
      Object.values(TABLE.indexes)
        .map((index) => index.name)
        .sort(),
    );
    expect(indexes.get('byUser')).toEqual({
      IndexName: 'byUser',
      KeySchema: [
        { AttributeName: 'GSI1PK', KeyType: 'HASH' },
        { AttributeName: 'listSK', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['GSI3PK'] },
    });
    expect(indexes.get('byWorkspace')?.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(indexes.get('byEmail')?.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
  });

  it('refuses a step that does not exist', () => {
    for (const step of [0, 6, 'two'])
      expect(() => parseParameters({ ...EXAMPLE_PARAMETERS, indexUpgradeStep: step })).toThrow(
        'indexUpgradeStep must be a whole number from 1 to 5',
      );
  });
});

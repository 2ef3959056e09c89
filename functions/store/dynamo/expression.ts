/**
 * Condition and update expressions as values: each carries the attribute names and values it
 * uses, so rules can be written once and combined without spelling placeholders twice.
 */
import { TABLE } from '../table-definition';

export interface Expression {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** All of the given conditions (those left undefined are skipped). */
export function allOf(...parts: (Expression | undefined)[]): Expression {
  const present = parts.filter((part): part is Expression => part !== undefined);
  return {
    expression: present.map((part) => (present.length > 1 ? `(${part.expression})` : part.expression)).join(' AND '),
    names: Object.assign({}, ...present.map((part) => part.names ?? {})),
    values: Object.assign({}, ...present.map((part) => part.values ?? {})),
  };
}

/** The names and values of several expressions used in one request, as DynamoDB wants them (absent when empty). */
export function placeholders(...parts: (Expression | undefined)[]) {
  const names = Object.assign({}, ...parts.map((part) => part?.names ?? {}));
  const values = Object.assign({}, ...parts.map((part) => part?.values ?? {}));
  return {
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names as Record<string, string> } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values as Record<string, unknown> } : {}),
  };
}

/** The item exists (any item at its key). */
export const exists: Expression = { expression: 'attribute_exists(#pk)', names: { '#pk': TABLE.partitionKey } };
/** No item is at its key yet. */
export const isNew: Expression = { expression: 'attribute_not_exists(#pk)', names: { '#pk': TABLE.partitionKey } };

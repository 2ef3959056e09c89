/** How many invitation emails a person asked for on one UTC day: one counter item per (person, day). */
import type { EmailAllowanceCharge, EmailAllowances } from '../use-cases/ports';
import type { Table, Write } from './dynamo/table';
import { ENTITY, keys } from './keys';
import { TABLE } from './table-definition';

/** One more email on the person's day, unless `limit` were already counted: on its own, or inside a transaction. */
export function emailAllowanceWrite(table: Table, charge: EmailAllowanceCharge): Write {
  return table.update(
    'allowance',
    keys.emailAllowance(charge.userId, charge.day),
    {
      expression: 'SET emailCount = if_not_exists(emailCount, :zero) + :one, entity = :entity, #ttl = :ttl',
      names: { '#ttl': TABLE.ttlAttribute },
      values: {
        ':zero': 0,
        ':one': 1,
        ':entity': ENTITY.emailAllowance,
        ':ttl': Math.floor(charge.keepUntil.getTime() / 1000),
      },
    },
    { expression: 'attribute_not_exists(emailCount) OR emailCount < :limit', values: { ':limit': charge.limit } },
  );
}

export class DynamoEmailAllowances implements EmailAllowances {
  constructor(private readonly table: Table) {}

  takeEmailAllowance(userId: string, day: string, limit: number, keepUntil: Date): Promise<boolean> {
    return this.table.applied(emailAllowanceWrite(this.table, { userId, day, limit, keepUntil }));
  }

  async returnEmailAllowance(userId: string, day: string): Promise<void> {
    await this.table.applied(
      this.table.update(
        'allowance',
        keys.emailAllowance(userId, day),
        { expression: 'SET emailCount = emailCount - :one', values: { ':one': 1 } },
        { expression: 'emailCount > :zero', values: { ':zero': 0 } },
      ),
    );
  }
}

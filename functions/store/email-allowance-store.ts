/** How many invitation emails a person asked for on one UTC day: one counter item per (person, day). */
import type { EmailAllowances } from '../use-cases/ports';
import type { Table } from './dynamo/table';
import { ENTITY, keys } from './keys';
import { TABLE } from './table-definition';

export class DynamoEmailAllowances implements EmailAllowances {
  constructor(private readonly table: Table) {}

  takeEmailAllowance(userId: string, day: string, limit: number, keepUntil: Date): Promise<boolean> {
    return this.table.applied(
      this.table.update(
        'allowance',
        keys.emailAllowance(userId, day),
        {
          expression: 'SET emailCount = if_not_exists(emailCount, :zero) + :one, entity = :entity, #ttl = :ttl',
          names: { '#ttl': TABLE.ttlAttribute },
          values: {
            ':zero': 0,
            ':one': 1,
            ':entity': ENTITY.emailAllowance,
            ':ttl': Math.floor(keepUntil.getTime() / 1000),
          },
        },
        { expression: 'attribute_not_exists(emailCount) OR emailCount < :limit', values: { ':limit': limit } },
      ),
    );
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

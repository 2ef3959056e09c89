/**
 * Brings a whole table to the current layout (layout-steps.ts): a parallel Scan in segments,
 * every item handed to every step, and each update a step asks for written with its condition.
 * Safe while the service serves traffic (a condition that no longer holds skips the item) and
 * safe to run again (a migrated item asks for nothing).
 */
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { primaryKeyOf } from './codecs/item';
import type { Item, Table } from './dynamo/table';
import type { LayoutStep } from './layout-steps';

export interface MigrationOptions {
  /** Parallel Scan segments (DynamoDB's TotalSegments). */
  segments?: number;
  /** Items per Scan page. */
  pageSize?: number;
  /** Count what would be updated, and write nothing. */
  dryRun?: boolean;
}

export interface StepReport {
  /** Items the step asked to update. */
  needed: number;
  /** Updates written. */
  updated: number;
  /** Updates whose condition no longer held: the item changed or went since the scan read it. */
  skipped: number;
}

export interface MigrationReport {
  scanned: number;
  steps: Record<string, StepReport>;
}

export async function migrateLayout(
  table: Table,
  steps: readonly LayoutStep[],
  options: MigrationOptions = {},
): Promise<MigrationReport> {
  const segments = options.segments ?? 4;
  const report: MigrationReport = {
    scanned: 0,
    steps: Object.fromEntries(steps.map((step) => [step.name, { needed: 0, updated: 0, skipped: 0 }])),
  };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const items of scanSegment(table, segment, segments, options.pageSize)) {
        report.scanned += items.length;
        for (const item of items) await migrateItem(table, steps, item, report, options.dryRun ?? false);
      }
    }),
  );
  return report;
}

async function migrateItem(
  table: Table,
  steps: readonly LayoutStep[],
  item: Item,
  report: MigrationReport,
  dryRun: boolean,
): Promise<void> {
  for (const step of steps) {
    const needed = step.updateFor(item);
    if (!needed) continue;
    const counts = report.steps[step.name] as StepReport;
    counts.needed += 1;
    if (dryRun) continue;
    const applied = await table.applied(table.update(step.name, primaryKeyOf(item), needed.update, needed.condition));
    if (applied) counts.updated += 1;
    else counts.skipped += 1;
  }
}

async function* scanSegment(table: Table, segment: number, segments: number, pageSize = 500) {
  let start: Record<string, unknown> | undefined;
  do {
    const page: ScanCommandOutput = await table.client.send(
      new ScanCommand({
        TableName: table.name,
        Segment: segment,
        TotalSegments: segments,
        Limit: pageSize,
        ExclusiveStartKey: start,
      }),
    );
    yield (page.Items ?? []) as Item[];
    start = page.LastEvaluatedKey;
  } while (start);
}

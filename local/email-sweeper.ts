/**
 * Runs the email sweep handler on a timer, as EventBridge Scheduler invokes it in AWS: the same
 * handler, with the same empty scheduled event. A failed run is logged; the next one comes anyway.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { EMAIL_SWEEP } from '../functions/consumers';
import { lambdaContext } from './lambda-context';
import { PollingLoop } from './polling-loop';

export type SweepHandler = (event: unknown, context: Context) => Promise<unknown>;

/** A scheduled handler (the email sweep by default), or undefined when this checkout has none. */
export async function loadSweepHandler(name: string = EMAIL_SWEEP.handler): Promise<SweepHandler | undefined> {
  const url = new URL(`../functions/${name}.ts`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  return ((await import(url.href)) as { handler: SweepHandler }).handler;
}

export class EmailSweeper extends PollingLoop {
  runs = 0;

  constructor(
    private readonly options: {
      handler: SweepHandler;
      intervalMs: number;
      functionName: string;
      /** What runs, for the log line of a failed run. */
      label?: string;
      log?(message: string, detail?: unknown): void;
    },
  ) {
    super(options.intervalMs);
  }

  async pollOnce(): Promise<void> {
    this.runs += 1;
    await this.options.handler({}, lambdaContext(this.options.functionName, 60_000));
  }

  protected pollFailed(error: unknown): void {
    (this.options.log ?? ((line, extra) => console.error(line, extra ?? '')))(
      `${this.options.label ?? 'the email sweep'} failed`,
      error,
    );
  }
}

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

const HANDLER_URL = new URL(`../functions/${EMAIL_SWEEP.handler}.ts`, import.meta.url);

/** The sweep handler, or undefined when this checkout has none. */
export async function loadSweepHandler(): Promise<SweepHandler | undefined> {
  if (!existsSync(fileURLToPath(HANDLER_URL))) return undefined;
  return ((await import(HANDLER_URL.href)) as { handler: SweepHandler }).handler;
}

export class EmailSweeper extends PollingLoop {
  runs = 0;

  constructor(
    private readonly options: {
      handler: SweepHandler;
      intervalMs: number;
      functionName: string;
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
    (this.options.log ?? ((line, extra) => console.error(line, extra ?? '')))('the email sweep failed', error);
  }
}

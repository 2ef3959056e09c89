/**
 * Holds every response to its route entry: a status the entry does not document, a header it
 * documents as always present but missing, or a body where it documents none (or none where it
 * documents one) is an answer clients were never told about. Deployed, such an answer is logged
 * as an error and counted (metric UndocumentedAnswers, by operation) and still sent; with
 * UNDOCUMENTED_ANSWERS=fail, as the tests run, the invocation fails instead, so that every
 * request of the test suites checks the documentation.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger, METRIC, metrics } from '../platform/observability';
import type { AnswerStatus, Answers, Operation } from './operation';

const UNDOCUMENTED_ANSWERS = undocumentedAnswersSetting(process.env.UNDOCUMENTED_ANSWERS);

/** `report` unless set; a value other than the two stops the function at init, naming the variable. */
export function undocumentedAnswersSetting(value: string | undefined): 'report' | 'fail' {
  if (value === undefined || value === 'report' || value === 'fail') return value ?? 'report';
  throw new Error(`Invalid configuration: UNDOCUMENTED_ANSWERS: must be report or fail, not ${JSON.stringify(value)}`);
}

export class UndocumentedAnswer extends Error {
  override readonly name = 'UndocumentedAnswer';
}

/** What is wrong with `response` by the entry's documentation; empty when nothing is. */
export function undocumentedIn(answers: Answers, response: APIGatewayProxyStructuredResultV2): string[] {
  const status = response.statusCode ?? 200;
  const answer = answers[status as AnswerStatus];
  if (!answer) return [`status ${status} is not documented`];
  const headers = new Set(Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()));
  const problems = Object.entries(answer.headers ?? {})
    .filter(([name, presence]) => presence === 'always' && !headers.has(name.toLowerCase()))
    .map(([name]) => `${status} without its ${name} header`);
  const hasBody = (response.body ?? '') !== '';
  if (hasBody !== (answer.body !== undefined)) {
    problems.push(answer.body ? `${status} without its ${answer.body} body` : `${status} with a body`);
  }
  return problems;
}

/** Reports (or, when the setting says so, refuses) a response its route entry does not document. */
export function checkDocumented(route: Operation, answers: Answers, response: APIGatewayProxyStructuredResultV2): void {
  const problems = undocumentedIn(answers, response);
  if (problems.length === 0) return;
  const message = `${route.handler} answered what its route entry does not document: ${problems.join('; ')}`;
  if (UNDOCUMENTED_ANSWERS === 'fail') throw new UndocumentedAnswer(message);
  logger.error('Undocumented answer', { operation: route.handler, status: response.statusCode, problems });
  const metric = metrics.singleMetric();
  metric.addDimension('Operation', route.handler);
  metric.addMetric(METRIC.undocumentedAnswers, MetricUnit.Count, 1);
}

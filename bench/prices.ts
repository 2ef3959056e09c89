/**
 * On-demand list prices used by `npm run bench:cost`, for us-east-1, as AWS's pricing pages gave
 * them when this file was written (DynamoDB's after its on-demand price cut of November 2024).
 * Check them against the pricing pages before relying on the result.
 */
export interface Prices {
  source: string;
  dynamodb: { perMillionWriteUnits: number; perMillionReadUnits: number };
  /** HTTP API, first 300 million requests a month. */
  apiGateway: { perMillionRequests: number };
  /** arm64. */
  lambda: { perMillionRequests: number; perGbSecond: number };
  ses: { perThousandEmails: number };
}

export const PRICES: Prices = {
  source: 'us-east-1 on-demand list prices as of 2025 (bench/prices.ts)',
  dynamodb: { perMillionWriteUnits: 0.625, perMillionReadUnits: 0.125 },
  apiGateway: { perMillionRequests: 1.0 },
  lambda: { perMillionRequests: 0.2, perGbSecond: 0.0000133334 },
  ses: { perThousandEmails: 0.1 },
};

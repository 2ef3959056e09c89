/** A key from functions/store/keys.ts in DynamoDB's attribute-value form, as low-level requests and stream records carry it. */
export function attributeKey(key: Record<string, string>): Record<string, { S: string }> {
  return Object.fromEntries(Object.entries(key).map(([name, value]) => [name, { S: value }]));
}

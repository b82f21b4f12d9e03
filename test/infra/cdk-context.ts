import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The context in cdk.json (feature flags, default environment), so that tests synthesize what
 * `cdk synth` synthesizes, plus no asset bundling.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] };
}

/**
 * The pipeline's disclosure-control and publish stage, as a container task (ECS on Fargate, run by
 * the Step Functions pipeline after the outcome-cube Glue job): the cube from the outcomes bucket,
 * protected and audited, published to the published bucket. A container, not a Lambda: at state
 * scale disclosure control takes longer than Lambda's 15 minutes (docs/benchmarks.md, Outcomes).
 *
 * Environment: `<ZONE>_BUCKET` for every zone, `RUN_ID` (the pipeline execution's name).
 * Prints one JSON line of counts (no person-level value); exits 1 when publishing fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { MissingCubeError, publishThroughStaging } from '../../adapters/lake/staged-publish';
import { S3ObjectStore } from '../../adapters/object-store/s3';
import { describeError } from '../../core/error-text';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const buckets = Object.fromEntries(ZONE_NAMES.map((zone) => [zone, required(`${zone.toUpperCase()}_BUCKET`)])) as Record<ZoneName, string>;
  const store = new S3ObjectStore(new S3Client({}), buckets);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'c2c-publish-'));
  try {
    const summary = await publishThroughStaging(store, workDir, required('RUN_ID'));
    console.log(JSON.stringify({ stage: 'publish', runId: summary.runId, rows: summary.rows, suppressedCounts: summary.suppressedCounts, auditPassed: summary.protection.auditPassed, dataThroughYear: summary.dataThroughYear }));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ stage: 'publish', error: error instanceof MissingCubeError ? error.message : describeError(error) }));
  process.exitCode = 1;
});

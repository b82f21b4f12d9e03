/**
 * One SQS batch of S3 "Object Created" events (via EventBridge): ingest each landing object,
 * publish its verdict for the partner, and name the messages that failed so SQS retries only
 * those (and, after the retries, moves them to the dead-letter queue).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../../core/error-text';
import { ingestLandingObject, type IngestDependencies, type IngestOutcome } from '../../core/ingest/ingest';
import { REPORT_SUFFIXES } from '../../core/lake/layout';

export interface Verdict {
  readonly partner: string;
  readonly verdict: 'accepted' | 'rejected' | 'duplicate';
  /** The message partners receive: where the report is, never the values it found wrong. */
  readonly message: Readonly<Record<string, unknown>>;
}

export interface DropEventDependencies extends IngestDependencies {
  publish(verdict: Verdict): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string, details: Readonly<Record<string, unknown>>): void;
  count(metric: string, value?: number): void;
}

/** The landing key an EventBridge-delivered S3 event names (EventBridge keys are not URL-encoded). */
export function landingKeyOf(record: SQSRecord): string {
  const event = JSON.parse(record.body) as { source?: string; 'detail-type'?: string; detail?: { object?: { key?: unknown } } };
  const key = event.detail?.object?.key;
  if (event.source !== 'aws.s3' || event['detail-type'] !== 'Object Created' || typeof key !== 'string' || key.length === 0) {
    throw new Error('the message is not an S3 "Object Created" event with an object key');
  }
  return key;
}

function verdictOf(outcome: Extract<IngestOutcome, { status: 'ingested' }>): Verdict {
  const [partner = ''] = outcome.landingKey.split('/');
  const report = outcome.outputs.find((o) => o.key.endsWith(REPORT_SUFFIXES.json));
  return {
    partner,
    verdict: outcome.verdict,
    message: {
      landingKey: outcome.landingKey,
      verdict: outcome.verdict,
      contract: outcome.report.contract,
      sha256: outcome.report.file.sha256,
      rows: outcome.report.rows,
      problems: outcome.report.counts,
      report: report ? `${report.zone}/${report.key}` : null,
    },
  };
}

export async function processDropEvents(event: SQSEvent, deps: DropEventDependencies): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const key = landingKeyOf(record);
      const outcome = await ingestLandingObject(key, deps);
      if (outcome.status === 'ingested') {
        deps.count(`drops_${outcome.verdict}`);
        deps.count('records_read', outcome.report.rows.read);
        deps.log('info', 'drop ingested', { landingKey: key, verdict: outcome.verdict, rows: outcome.report.rows, problems: outcome.report.counts });
        await deps.publish(verdictOf(outcome));
      } else if (outcome.status === 'no_contract') {
        deps.count('drops_without_contract');
        deps.log('warn', 'drop left in landing: no contract', { landingKey: key, reason: outcome.message });
      } else {
        deps.log('info', 'event for a drop already ingested', { landingKey: key });
      }
    } catch (error) {
      deps.count('drops_failed');
      deps.log('error', 'ingesting a drop failed; SQS will retry it', { messageId: record.messageId, error: describeError(error) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OperatorAlerts } from './operator-alerts';

export interface IngestionAlarmsProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly function: lambda.IFunction;
  readonly alerts: OperatorAlerts;

  /**
   * Alarm when the oldest waiting drop event is older than this: partners are waiting for
   * verdicts (the consumer is failing, throttled, or behind).
   *
   * @default Duration.minutes(30)
   */
  readonly maxEventAge?: Duration;
}

/**
 * The alarms of ingestion, each notifying operators when it fires and when it clears:
 * - a drop event in the dead-letter queue: a drop failed every delivery and has no verdict;
 * - the function failed (an invocation error, including a timeout);
 * - the function was throttled;
 * - the oldest waiting drop event is too old.
 */
export class IngestionAlarms extends Construct {
  public readonly deadLetters: cloudwatch.Alarm;
  public readonly errors: cloudwatch.Alarm;
  public readonly throttles: cloudwatch.Alarm;
  public readonly eventAge: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: IngestionAlarmsProps) {
    super(scope, id);
    const maxEventAge = props.maxEventAge ?? Duration.minutes(30);
    const anyAtAll = {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data means no messages or no invocations: nothing is wrong.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };

    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      ...anyAtAll,
      alarmDescription:
        'A drop event reached the ingestion dead-letter queue: a drop failed every delivery and has no verdict. ' +
        'Read the function logs for its key, fix the cause, then redrive the dead-letter queue (or run `c2c ingest`).',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
    });

    this.errors = new cloudwatch.Alarm(this, 'Errors', {
      ...anyAtAll,
      alarmDescription: 'The ingestion function failed (error or timeout); the drop will be retried from the queue.',
      metric: props.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
    });

    this.throttles = new cloudwatch.Alarm(this, 'Throttles', {
      ...anyAtAll,
      alarmDescription: 'The ingestion function was throttled: the account or the function ran out of concurrency.',
      metric: props.function.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
    });

    this.eventAge = new cloudwatch.Alarm(this, 'EventAge', {
      threshold: maxEventAge.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `A drop event has waited more than ${maxEventAge.toHumanString()} for ingestion: ` +
        'partners are waiting for verdicts (the function is failing, throttled or behind).',
      metric: props.queue.metricApproximateAgeOfOldestMessage({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
    });

    for (const alarm of [this.deadLetters, this.errors, this.throttles, this.eventAge]) {
      props.alerts.notifyOn(alarm);
    }
  }
}

import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { OperatorAlerts } from '../ingestion/operator-alerts';

export interface QueryApiAlarmsProps {
  readonly stage: apigateway.Stage;
  readonly function: lambda.IFunction;
  readonly alerts: OperatorAlerts;
  /** Alarm when more server errors than this are answered in 5 minutes. */
  readonly serverErrorsPer5Minutes: number;
  /** Alarm when the 99th percentile of the API's latency stays above this for 15 minutes. */
  readonly p99Latency: Duration;
}

/**
 * The alarms of the Query API, each notifying operators when it fires and when it clears:
 * - server errors (5XX: the engine was unavailable, the function failed or timed out);
 * - the slowest percent of requests are slow (p99 latency);
 * - the function failed (an unhandled error or a timeout: the handler answers engine failures
 *   itself, with 503);
 * - the function was throttled (its reserved concurrency or the account's ran out).
 */
export class QueryApiAlarms extends Construct {
  public readonly serverErrors: cloudwatch.Alarm;
  public readonly latency: cloudwatch.Alarm;
  public readonly errors: cloudwatch.Alarm;
  public readonly throttles: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: QueryApiAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const above = (threshold: number) => ({
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data means no requests or no invocations: nothing is wrong.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.serverErrors = new cloudwatch.Alarm(this, 'ServerErrors', {
      ...above(props.serverErrorsPer5Minutes),
      alarmDescription:
        `The Query API answered more than ${props.serverErrorsPer5Minutes} server errors (5XX) in 5 minutes: Athena failed or was ` +
        'too slow (503), or the function failed or timed out (502, 504). Read the function logs and the access logs.',
      metric: props.stage.metricServerError({ statistic: cloudwatch.Stats.SUM, period }),
    });

    this.latency = new cloudwatch.Alarm(this, 'Latency', {
      ...above(props.p99Latency.toMilliseconds()),
      evaluationPeriods: 3,
      alarmDescription:
        `The slowest 1 % of Query API requests took more than ${props.p99Latency.toHumanString()} for 15 minutes: ` +
        'queries are reaching their timeout (Athena slow or queued, or the scan limit too close).',
      metric: props.stage.metricLatency({ statistic: cloudwatch.Stats.p(99), period }),
    });

    this.errors = new cloudwatch.Alarm(this, 'Errors', {
      ...above(0),
      alarmDescription: 'The Query API function failed (an unhandled error or a timeout); callers got a 502 or 504.',
      metric: props.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period }),
    });

    this.throttles = new cloudwatch.Alarm(this, 'Throttles', {
      ...above(0),
      alarmDescription: 'The Query API function was throttled: its reserved concurrency (or the account\'s) ran out; callers got errors.',
      metric: props.function.metricThrottles({ statistic: cloudwatch.Stats.SUM, period }),
    });

    for (const alarm of [this.serverErrors, this.latency, this.errors, this.throttles]) {
      props.alerts.notifyOn(alarm);
    }
  }
}

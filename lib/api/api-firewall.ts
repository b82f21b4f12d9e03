import { ArnFormat, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { PROBLEM_TYPES } from '../../core/api/problem';

export interface ApiFirewallProps {
  /** Names the web ACL, its metrics and its log group (`aws-waf-logs-<name>`), e.g. `c2c-dev-query-api`. */
  readonly name: string;
  /** What the web ACL protects: an API Gateway stage's ARN. */
  readonly resourceArn: string;
  /** An IP address that sends more requests than this in 5 minutes is blocked until its rate falls below it. */
  readonly rateLimitPer5Minutes: number;
  /** Larger request bodies are refused with 413 (the OpenAPI document's limit); at most 16 KiB, what WAF inspects of a body. */
  readonly maxBodySize: Size;
  /** Encrypts the WAF log group; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The AWS managed rule groups, in evaluation order after the rate rule. */
export const MANAGED_RULE_GROUPS = [
  // Addresses Amazon's threat intelligence lists for bots, scanners and DDoS sources.
  'AWSManagedRulesAmazonIpReputationList',
  // OWASP-style protections (XSS, LFI/RFI, bad bots, size limits).
  'AWSManagedRulesCommonRuleSet',
  // Request patterns of known exploits (Log4j, Java deserialization, localhost Host headers).
  'AWSManagedRulesKnownBadInputsRuleSet',
  // SQL injection: the handler binds every value as an Athena execution parameter and can only
  // read public aggregates, so this is defence in depth, at a small risk of refusing a filter
  // value that looks like SQL.
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** WAF's (and API Gateway's default) inspection limit of a request body. */
const MAX_INSPECTED_BODY = Size.kibibytes(16);

/**
 * A regional AWS WAF web ACL in front of the Query API's stage: a per-IP rate limit, the AWS
 * managed rule groups above, and a body-size limit answered with a 413 problem document. Every
 * rule publishes CloudWatch metrics and sampled requests. Requests a rule blocked or counted
 * are logged to a KMS-encrypted log group, with the `x-api-key` header redacted; the API's access
 * logs record every request anyway.
 */
export class ApiFirewall extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;
  public readonly association: wafv2.CfnWebACLAssociation;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    if (props.maxBodySize.toBytes() > MAX_INSPECTED_BODY.toBytes()) {
      throw new Error(`maxBodySize may be at most ${MAX_INSPECTED_BODY.toKibibytes()} KiB, what WAF inspects of a body`);
    }
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.name}-${metricName}`,
    });
    const [type, title] = PROBLEM_TYPES[413];

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: `Protects ${props.name}: per-IP rate limit, AWS managed rules, body size.`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('all'),
      customResponseBodies: {
        'payload-too-large': {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ type, title, status: 413, detail: `The request body is larger than ${props.maxBodySize.toKibibytes()} KiB.` }),
        },
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.rateLimitPer5Minutes, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: visibility('rate-limit-per-ip'),
        },
        ...MANAGED_RULE_GROUPS.map((group, index): wafv2.CfnWebACL.RuleProperty => ({
          name: group,
          priority: index + 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: group,
              // The common rule set refuses bodies over 8 KB; the document allows 16 KiB, and BodyTooLarge enforces that.
              ruleActionOverrides: group === 'AWSManagedRulesCommonRuleSet' ? [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] : undefined,
            },
          },
          visibilityConfig: visibility(group),
        })),
        {
          name: 'BodyTooLarge',
          priority: MANAGED_RULE_GROUPS.length + 1,
          action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: 'payload-too-large' } } },
          statement: {
            sizeConstraintStatement: {
              // A body past the inspection limit is oversize: it matches too.
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: props.maxBodySize.toBytes(),
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          visibilityConfig: visibility('body-too-large'),
        },
      ],
    });

    // WAF delivers only to log groups whose names start with aws-waf-logs-.
    const logGroupName = `aws-waf-logs-${props.name}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The log group's ARN without the ":*" the LogGroup's ARN attribute ends with.
      logDestinationConfigs: [Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: [{ singleHeader: { Name: 'x-api-key' } }],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'].map((action) => ({ ActionCondition: { Action: action } })),
          },
        ],
      },
    });
    logging.node.addDependency(this.logGroup);

    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.resourceArn, webAclArn: this.webAcl.attrArn });
  }
}

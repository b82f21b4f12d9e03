import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeInlinePolicy } from '../compliance';
import { flattenAsCdkNag } from '../ingestion/lake-grants';

/**
 * API Gateway's logging role for the account and region (`AWS::ApiGateway::Account`): REST API
 * stages can write execution and access logs to CloudWatch Logs only once it is set. It is one
 * setting per account and region, shared by every REST API there, so the role and the setting
 * are retained when the stack goes: deleting them would stop the logs of every other API.
 *
 * The role is the stack's own, without the AWS managed policy
 * (AmazonAPIGatewayPushToCloudWatchLogs): it may create, describe and write log groups and
 * streams, not read them.
 */
export class ApiGatewayAccount extends Construct {
  public readonly role: iam.Role;
  public readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'CloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write the execution and access logs of the REST APIs of this account and region.',
    });
    const stack = Stack.of(this);
    const logGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const policy = new iam.Policy(this, 'WriteLogs', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
          resources: [logGroups],
        }),
      ],
    });
    acknowledgeInlinePolicy(policy);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenAsCdkNag(stack.resolve(logGroups))}]`,
      reason:
        'The role is the logging role of every REST API of the account and region (one setting per account and region), ' +
        'and API Gateway names the execution-log groups itself (API-Gateway-Execution-Logs_<api id>/<stage>); it may create, ' +
        'describe and write log groups and streams of this account and region, never read or delete them.',
    });

    this.account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    this.account.node.addDependency(policy);
    for (const resource of [this.role, policy, this.account]) resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}

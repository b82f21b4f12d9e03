import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { ConfigurationError } from '../config/environments';

export interface LakeFormationSettingsProps {
  /**
   * Data lake administrators besides the CDK's CloudFormation execution role: ARNs of IAM roles
   * or users of the environment's account.
   */
  readonly admins: readonly string[];
}

/** Whether `arn` is the ARN of an IAM principal of one of `kinds`, as Lake Formation takes them (no wildcards). */
export function isIamArn(arn: string, kinds: readonly ('role' | 'user')[]): boolean {
  return new RegExp(`^arn:aws[a-z-]*:iam::\\d{12}:(${kinds.join('|')})/[\\w+=,.@/-]+$`).test(arn);
}

/**
 * The account's Lake Formation settings (one per account and region):
 * - the data lake administrators, APPENDED to the account's list (`MutationType: APPEND`): the
 *   default, REPLACE, would drop every administrator set outside this stack. They are the
 *   CDK's CloudFormation execution role, which must be one before it can create databases,
 *   LF-tags, tag associations, data cells filters and grants, plus the configured ones;
 * - no default permissions for new databases and tables: otherwise Lake Formation grants ALL to
 *   `IAMAllowedPrincipals` on each, and IAM policies alone would still open every table.
 *
 * Whatever Lake Formation resource CloudFormation creates must depend on `settings`
 * (`precede`), so that the execution role is an administrator first and no database is
 * created under the old defaults.
 */
export class LakeFormationSettings extends Construct {
  public readonly settings: lakeformation.CfnDataLakeSettings;
  /** The ARN of the role CloudFormation deploys the app's stacks with, an administrator here. */
  public readonly executionRoleArn: string;

  constructor(scope: Construct, id: string, props: LakeFormationSettingsProps) {
    super(scope, id);
    // Lake Formation takes IAM roles and users of the account as administrators.
    const invalid = props.admins.filter((arn) => !isIamArn(arn, ['role', 'user']));
    if (invalid.length > 0) {
      throw new ConfigurationError(
        `governance.lakeAdmins must be ARNs of IAM roles or users (arn:aws:iam::<account>:role/<name>), not ${invalid.map((arn) => JSON.stringify(arn)).join(', ')}.`,
      );
    }
    this.executionRoleArn = cloudFormationExecutionRoleArn(Stack.of(this));
    this.settings = new lakeformation.CfnDataLakeSettings(this, 'Settings', {
      mutationType: 'APPEND',
      admins: [this.executionRoleArn, ...new Set(props.admins)].map((arn) => ({ dataLakePrincipalIdentifier: arn })),
      createDatabaseDefaultPermissions: [],
      createTableDefaultPermissions: [],
    });
  }

  /** Makes each resource wait for the settings: created after them, deleted before them. */
  public precede(...resources: Construct[]): void {
    for (const resource of resources) resource.node.addDependency(this.settings);
  }
}

/**
 * The CDK bootstrap's CloudFormation execution role of the stack's environment,
 * `cdk-<qualifier>-cfn-exec-role-<account>-<region>`, as the stack's synthesizer names it (its
 * qualifier included); account and region placeholders are left to CloudFormation (`Fn::Sub`).
 */
export function cloudFormationExecutionRoleArn(stack: Stack): string {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new Error(`${stack.node.path}: Lake Formation needs the DefaultStackSynthesizer, whose execution role it makes an administrator.`);
  }
  return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
}

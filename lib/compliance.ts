import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs the cdk-nag rule packs on every stack of the app at synthesis: AWS Solutions, HIPAA
 * Security and NIST 800-53 rev 5. Findings land in the cloud assembly's
 * `validation-report.json`; errors fail `cdk synth`. Acknowledge a finding on the narrowest
 * construct it concerns with `Validations.of(construct).acknowledge({ id, reason })` (or
 * `acknowledgeHipaaAndNist`) and list it in docs/security.md.
 */
export function applyComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(
    // Writes every acknowledgement (of any pack) into the templates' metadata, next to the resource it excuses.
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
    new HIPAASecurityChecks(app, { verbose: true }),
    new NIST80053R5Checks(app, { verbose: true }),
  );
}

/** Rules that the HIPAA Security and NIST 800-53 rev 5 packs share, by the name after the pack prefix. */
export type SharedComplianceRule =
  | 'DynamoDBInBackupPlan'
  | 'IAMNoInlinePolicy'
  | 'LambdaConcurrency'
  | 'LambdaDLQ'
  | 'LambdaInsideVPC'
  | 'S3BucketReplicationEnabled'
  | 'S3BucketVersioningEnabled'
  | 'S3DefaultEncryptionKMS';

/** Acknowledges a rule of both the HIPAA Security and the NIST 800-53 rev 5 packs, for one reason. */
export function acknowledgeHipaaAndNist(construct: IConstruct, rule: SharedComplianceRule, reason: string): void {
  Validations.of(construct).acknowledge({ id: `HIPAA.Security-${rule}`, reason }, { id: `NIST.800.53.R5-${rule}`, reason });
}

/**
 * Acknowledges the inline-policy rule (HIPAA and NIST `IAMNoInlinePolicy`) on a policy that
 * belongs to one role of the stack.
 */
export function acknowledgeInlinePolicy(policy: IConstruct): void {
  acknowledgeHipaaAndNist(
    policy,
    'IAMNoInlinePolicy',
    'The policy belongs to one role that the stack creates for one workload; it is written, reviewed and versioned ' +
      'in this repository and deployed and rolled back with the role by CloudFormation. A customer managed policy ' +
      'would add a second version history nobody uses and could be attached to other principals.',
  );
}

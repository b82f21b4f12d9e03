import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * What the account's own IAM principals may do with a zone key without being named in its policy:
 * administer it (CloudFormation's deployment role among them: KMS refuses a key policy that would
 * lock out the principal setting it), never use it on data. Named action by action: no
 * `kms:CreateGrant` (a grant hands data use to any principal), no `kms:Decrypt`, `kms:Encrypt`,
 * `kms:GenerateDataKey*` or `kms:ReEncrypt*`.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:PutKeyPolicy',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RevokeGrant',
] as const;

/** The data actions S3 takes on a zone key for its callers: reading (and completing multipart uploads) and writing. */
export type ZoneKeyAction = 'kms:Decrypt' | 'kms:GenerateDataKey';

/**
 * A zone key's policy before any user is admitted: the account may administer the key through
 * IAM and nothing more. Users are admitted one by one with `admitToZoneKey`.
 */
export function zoneKeyPolicy(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AdministerThroughIamNeverUseOnData',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...KEY_ADMINISTRATION_ACTIONS],
        resources: ['*'],
      }),
    ],
  });
}

/**
 * Admits `role` to the zone key's policy for `actions`, through S3 only. The role's own IAM policy
 * must allow the same: the statement names the account as principal, with the role's ARN as a
 * condition (`aws:PrincipalArn`), so that the key policy never refers to a role of another stack
 * (KMS refuses a principal that does not exist yet, and a reference would tie the storage stack
 * to the role's): the ARN is written from the role's name, which is fixed at synthesis for that.
 * (The statement cannot name the zone's bucket in an encryption-context condition: the bucket
 * refers to the key, so the key cannot refer to the bucket.)
 */
export function admitToZoneKey(key: kms.IKey, role: iam.IRole, actions: readonly ZoneKeyAction[]): void {
  const keyStack = Stack.of(key);
  const { statementAdded } = key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.AccountRootPrincipal()],
      actions: [...actions],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'aws:PrincipalArn': roleArnIn(keyStack, role) },
        StringEquals: { 'kms:ViaService': `s3.${keyStack.region}.amazonaws.com` },
      },
    }),
  );
  if (!statementAdded) throw new Error(`${key.node.path} is not a key this app defines: its policy cannot admit ${role.node.path}`);
}

/** The role's ARN as `stack` may write it: its own reference in the role's stack, else built from the role's name. */
function roleArnIn(stack: Stack, role: iam.IRole): string {
  if (Stack.of(role) === stack) return role.roleArn;
  return stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: fixedRoleName(role) });
}

/**
 * The role's physical name, fixed at synthesis. A role left to CloudFormation's generated name
 * gets one here instead: its stack's name (which names the environment), its construct path
 * and a hash of the path, at most 64 characters.
 */
function fixedRoleName(role: iam.IRole): string {
  const cfnRole = role.node.defaultChild;
  if (!(cfnRole instanceof iam.CfnRole)) throw new Error(`${role.node.path} is not a role this app defines: a zone key policy cannot admit it by name`);
  // A lazy name (PhysicalName.GENERATE_IF_NEEDED, as ECS task roles have) resolves to nothing unless another environment needs it.
  const name: unknown = Stack.of(role).resolve(cfnRole.roleName);
  if (typeof name === 'string') return name;
  if (name !== undefined) throw new Error(`${role.node.path} needs a role name known at synthesis: a zone key policy admits it by name`);
  const hash = createHash('sha256').update(role.node.path).digest('hex').slice(0, 8);
  const path = role.node.path.split('/').slice(1).join('').replace(/[^\w+=,.@-]/g, '');
  cfnRole.roleName = `${`${Stack.of(role).stackName}-${path}`.slice(0, 64 - hash.length - 1)}-${hash}`;
  return cfnRole.roleName;
}

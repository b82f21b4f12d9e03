import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { allContracts } from '../../core/contracts/catalog';
import type { Contract } from '../../core/contracts/types';
import { partnerFolder, rawPartnerFolder, REPORT_SUFFIXES } from '../../core/lake/layout';
import { acknowledgeInlinePolicy } from '../compliance';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { admitToZoneKey } from '../storage/zone-key-policy';
import { allObjectsArn, flattenAsCdkNag } from './lake-grants';

/** Who may assume a partner's role (docs/security.md, Partners). */
export interface PartnerTrust {
  /**
   * The AWS account (12 digits) whose principals may assume the role: the partner's own, where
   * the partner decides which of its people and systems may. Undefined: this environment's own
   * account, where only principals the operators allow may (a placeholder until the partner's
   * account is known, and how the team plays a partner in dev).
   */
  readonly account: string | undefined;
  /**
   * The external ID (`sts:ExternalId`) every assumption must present, agreed with the partner at
   * onboarding: a tool that assumes roles for several customers cannot be steered into this one.
   */
  readonly externalId: string;
}

export interface PartnerRolesProps {
  /** Lowercase prefix of the environment's names: the roles are `<prefix>-partner-<partner>`. */
  readonly namePrefix: string;
  /** The data lake: landing for the drops, raw and quarantine for the reports. */
  readonly storage: DataLakeStorage;
  /** Who may assume each partner's role, by partner id: exactly the partners of the contracts. */
  readonly trust: Readonly<Record<string, PartnerTrust>>;
  /** @default allContracts() */
  readonly contracts?: readonly Contract[];
}

const ACCOUNT_ID = /^\d{12}$/;
/** What STS accepts as an external ID. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * One IAM role per partner of the contracts (DESIGN.md §4, Governance), named
 * `<prefix>-partner-<partner>`, assumable for an hour at a time by the principals its
 * `PartnerTrust` names, with the external ID. The role may:
 *
 * - put files under `<partner>/<dataset>/` of the landing bucket, for its contracted datasets
 *   only, in one request or as a multipart upload (and abort or list the parts of its own uploads);
 *   with the landing key through S3, for those keys only. No read, no delete, no listing:
 *   ingestion takes each drop away within minutes;
 * - read its own validation reports (`*.report.json`, `*.report.txt`): those of accepted drops,
 *   beside the Parquet under `<dataset>/partner=<partner>/` of raw, and those of rejected ones,
 *   under `<partner>/` of quarantine; list those folders; decrypt with the raw and quarantine keys
 *   through S3, for those objects only.
 *
 * Nothing else: no other partner's folder or report, no Parquet, no quarantined file, no other
 * zone, no Lake Formation grant. The zone keys admit each role for exactly these key actions.
 */
export class PartnerRoles extends Construct {
  /** The role of each partner, by partner id. */
  public readonly roles: Readonly<Record<string, iam.Role>>;

  constructor(scope: Construct, id: string, props: PartnerRolesProps) {
    super(scope, id);
    const datasets = new Map<string, string[]>();
    for (const contract of props.contracts ?? allContracts()) {
      datasets.set(contract.partner, [...(datasets.get(contract.partner) ?? []), contract.dataset]);
    }
    const missing = [...datasets.keys()].filter((partner) => !(partner in props.trust));
    const unknown = Object.keys(props.trust).filter((partner) => !datasets.has(partner));
    if (missing.length > 0 || unknown.length > 0) {
      throw new Error(
        'Partner trust must name exactly the partners of the contracts: ' +
          [missing.length > 0 ? `missing ${missing.join(', ')}` : '', unknown.length > 0 ? `no contract for ${unknown.join(', ')}` : '']
            .filter((part) => part !== '')
            .join('; '),
      );
    }
    this.roles = Object.fromEntries(
      [...datasets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([partner, partnerDatasets]) => [
        partner,
        this.partnerRole(partner, [...new Set(partnerDatasets)].sort(), props.trust[partner] as PartnerTrust, props),
      ]),
    );
  }

  private partnerRole(partner: string, datasets: readonly string[], trust: PartnerTrust, props: PartnerRolesProps): iam.Role {
    if (trust.account !== undefined && !ACCOUNT_ID.test(trust.account)) {
      throw new Error(`Partner ${partner}: account must be 12 digits, not ${JSON.stringify(trust.account)}`);
    }
    if (!EXTERNAL_ID.test(trust.externalId)) {
      throw new Error(`Partner ${partner}: externalId must be 2 to 1224 letters, digits or +=,.@:/-_ (what STS accepts)`);
    }
    const scope = new Construct(this, partner);
    const stack = Stack.of(this);
    const { storage } = props;
    const role = new iam.Role(scope, 'Role', {
      roleName: `${props.namePrefix}-partner-${partner}`,
      assumedBy: trust.account === undefined ? new iam.AccountRootPrincipal() : new iam.AccountPrincipal(trust.account),
      externalIds: [trust.externalId],
      maxSessionDuration: Duration.hours(1),
      description: `The ${partner} partner: drops files into its landing folder, reads its own validation reports.`,
    });

    const [landing, raw, quarantine] = (['landing', 'raw', 'quarantine'] as const).map((zone) => allObjectsArn(storage.bucket(zone), stack).bucketArn) as [string, string, string];
    const drops = datasets.map((dataset) => `${landing}/${partnerFolder(partner)}${dataset}/*`);
    const rawFolders = datasets.map((dataset) => rawPartnerFolder(dataset, partner));
    const quarantineFolder = partnerFolder(partner);
    const suffixes = Object.values(REPORT_SUFFIXES);
    const reports = [
      ...rawFolders.flatMap((folder) => suffixes.map((suffix) => `${raw}/${folder}*${suffix}`)),
      ...suffixes.map((suffix) => `${quarantine}/${quarantineFolder}*${suffix}`),
    ];
    const viaS3 = { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` };
    const policy = new iam.Policy(scope, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'DropFilesIntoOwnLandingFolders',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: drops,
        }),
        new iam.PolicyStatement({
          sid: 'EncryptOwnDropsWithLandingKey',
          // GenerateDataKey for each upload; Decrypt because S3 needs it to complete a multipart upload.
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [storage.key('landing').keyArn],
          conditions: { StringEquals: viaS3, StringLike: { 'kms:EncryptionContext:aws:s3:arn': [landing, `${landing}/${partnerFolder(partner)}*`] } },
        }),
        new iam.PolicyStatement({ sid: 'ReadOwnReports', actions: ['s3:GetObject'], resources: reports }),
        new iam.PolicyStatement({
          sid: 'ListOwnRawFolders',
          actions: ['s3:ListBucket'],
          resources: [raw],
          conditions: { StringLike: { 's3:prefix': rawFolders.map((folder) => `${folder}*`) } },
        }),
        new iam.PolicyStatement({
          sid: 'ListOwnQuarantineFolder',
          actions: ['s3:ListBucket'],
          resources: [quarantine],
          conditions: { StringLike: { 's3:prefix': [`${quarantineFolder}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'DecryptOwnReports',
          actions: ['kms:Decrypt'],
          resources: [storage.key('raw').keyArn, storage.key('quarantine').keyArn],
          conditions: {
            StringEquals: viaS3,
            StringLike: {
              'kms:EncryptionContext:aws:s3:arn': [raw, ...rawFolders.map((folder) => `${raw}/${folder}*`), quarantine, `${quarantine}/${quarantineFolder}*`],
            },
          },
        }),
      ],
    });
    admitToZoneKey(storage.key('landing'), role, ['kms:GenerateDataKey', 'kms:Decrypt']);
    for (const zone of ['raw', 'quarantine'] as const) admitToZoneKey(storage.key(zone), role, ['kms:Decrypt']);

    acknowledgeInlinePolicy(policy);
    const finding = (resource: string): string => `AwsSolutions-IAM5[Resource::${flattenAsCdkNag(stack.resolve(resource))}]`;
    Validations.of(policy).acknowledge(
      ...drops.map((resource) => ({
        id: finding(resource),
        reason:
          'A partner names its files when it drops them, so its role cannot be given their keys in advance; it may only put ' +
          'objects (single or multipart) under its own folder of a dataset it has a contract for, never read, list or delete them.',
      })),
      ...reports.map((resource) => ({
        id: finding(resource),
        reason:
          'Ingestion names each report after the drop, its date and hash, known only when the drop arrives; the partner may only ' +
          'read objects named *.report.json or *.report.txt under its own folders of raw and quarantine: its reports, not the Parquet.',
      })),
    );
    return role;
  }
}

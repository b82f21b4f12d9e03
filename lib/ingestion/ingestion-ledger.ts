import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { encryptionKey, type EncryptionKeyOptions } from './encryption-key';

/** The ledger's partition key: SHA-256 of a drop's bytes as delivered, hex (core/ports/ingest-ledger.ts). */
export const LEDGER_PARTITION_KEY = 'sha256';

export interface IngestionLedgerProps extends EncryptionKeyOptions {
  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Refuse to delete the table, to anyone, until this is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The idempotency ledger of ingestion (`IngestLedger` in core/ports/ingest-ledger.ts): one item
 * per distinct file content, keyed by its SHA-256. On-demand capacity, point-in-time recovery,
 * encrypted with a customer-managed key.
 */
export class IngestionLedger extends Construct {
  public readonly table: dynamodb.Table;
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: IngestionLedgerProps = {}) {
    super(scope, id);
    this.key = encryptionKey(this, 'Key', `Encrypts the ingestion ledger table of ${Stack.of(this).stackName}.`, props);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: LEDGER_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * Lets the grantee look entries up and record new ones (`GetItem`, conditional `PutItem`), and
   * use the table's key through DynamoDB only. Entries are never changed or removed, so neither
   * `UpdateItem` nor `DeleteItem` is granted: a bug in the consumer cannot rewrite history.
   */
  public grantRecord(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resourceArns: [this.table.tableArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
    });
    return grant;
  }
}

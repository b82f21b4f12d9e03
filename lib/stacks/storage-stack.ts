import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ZoneName } from '../../core/lake/zones';
import type { EnvironmentConfig } from '../config/environments';
import { DataLakeStorage } from '../storage/data-lake-storage';

export interface StorageStackProps extends StackProps {
  readonly config: EnvironmentConfig;

  /**
   * Zones whose bucket sends its events to Amazon EventBridge (`DataLakeStorageProps.eventBridgeZones`).
   *
   * @default - none
   */
  readonly eventBridgeZones?: readonly ZoneName[];
}

/** The data lake's buckets, KMS keys and Glue databases for one environment. */
export class StorageStack extends Stack {
  public readonly storage: DataLakeStorage;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.storage = new DataLakeStorage(this, 'DataLake', {
      namePrefix: config.namePrefix,
      zoneLifecycle: config.storage.zoneLifecycle,
      accessLogRetention: config.storage.accessLogRetention,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
      keyDeletionWindow: config.keyDeletionWindow,
      eventBridgeZones: props.eventBridgeZones,
      backup: config.storage.backup,
    });
  }
}

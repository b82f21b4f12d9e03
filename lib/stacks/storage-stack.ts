import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import type { EnvironmentConfig } from '../config/environments';
import { LakeFormationSettings } from '../governance/lake-formation-settings';
import { LakeLocations } from '../governance/lake-locations';
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

/**
 * The data lake's buckets, KMS keys and Glue databases for one environment; the account's Lake
 * Formation settings, which must be in force before the databases exist; and the zone buckets'
 * registration with Lake Formation.
 */
export class StorageStack extends Stack {
  public readonly storage: DataLakeStorage;
  public readonly lakeFormation: LakeFormationSettings;
  public readonly lakeLocations: LakeLocations;

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

    this.lakeFormation = new LakeFormationSettings(this, 'LakeFormation', { admins: config.governance.lakeAdmins });
    this.lakeLocations = new LakeLocations(this, 'LakeLocations', { storage: this.storage });
    // The execution role is an administrator, and new databases get no IAMAllowedPrincipals grant, before any database exists.
    this.lakeFormation.precede(...ZONE_NAMES.map((zone) => this.storage.database(zone)), ...Object.values(this.lakeLocations.locations));
  }
}

import { Tags, type App } from 'aws-cdk-lib';
import { applyComplianceChecks } from './compliance';
import { environmentConfig, resolveEnvironmentName, type EnvironmentConfig } from './config/environments';
import { ApiStack } from './stacks/api-stack';
import { IngestionStack } from './stacks/ingestion-stack';
import { ProcessingStack } from './stacks/processing-stack';
import { StorageStack } from './stacks/storage-stack';

export interface Platform {
  readonly config: EnvironmentConfig;
  readonly storage: StorageStack;
  readonly ingestion: IngestionStack;
  readonly processing: ProcessingStack;
  readonly api: ApiStack;
}

/** `C2c-dev-Storage`, `C2c-prod-Storage`, ... */
export function stackName(config: EnvironmentConfig, component: string): string {
  return `C2c-${config.name}-${component}`;
}

/**
 * Adds the platform's stacks for the environment named by the `env` context (`-c env=prod`,
 * default dev) to the app, with the compliance checks.
 */
export function buildPlatform(app: App): Platform {
  const config = environmentConfig(resolveEnvironmentName(app.node.tryGetContext('env')));
  const env = { account: config.account, region: config.region };

  const storage = new StorageStack(app, stackName(config, 'Storage'), {
    env,
    config,
    terminationProtection: config.terminationProtection,
    description: `Cradle-to-Career data platform (${config.name}): data lake buckets, KMS keys and Glue databases.`,
    // Partner drops start ingestion through EventBridge.
    eventBridgeZones: ['landing'],
  });

  // Refers to the storage stack's buckets and keys; the storage stack refers to nothing here.
  const ingestion = new IngestionStack(app, stackName(config, 'Ingestion'), {
    env,
    config,
    storage: storage.storage,
    terminationProtection: config.terminationProtection,
    description: `Cradle-to-Career data platform (${config.name}): ingestion of partner drops (validation, ledger, verdicts).`,
  });

  // Refers to the storage stack's buckets, keys and databases and to the ingestion stack's operator topic.
  const processing = new ProcessingStack(app, stackName(config, 'Processing'), {
    env,
    config,
    storage: storage.storage,
    alerts: ingestion.operatorAlerts,
    terminationProtection: config.terminationProtection,
    description: `Cradle-to-Career data platform (${config.name}): the Spark pipeline (Glue plan runner, Step Functions), catalog tables, Athena workgroup.`,
  });

  // Refers to the storage stack's published bucket, key and database and to the ingestion stack's operator topic.
  const api = new ApiStack(app, stackName(config, 'Api'), {
    env,
    config,
    storage: storage.storage,
    alerts: ingestion.operatorAlerts,
    terminationProtection: config.terminationProtection,
    description: `Cradle-to-Career data platform (${config.name}): the Query API (API Gateway, WAF, Lambda, Athena) over the published outcomes.`,
  });

  Tags.of(app).add('c2c:environment', config.name);
  applyComplianceChecks(app);
  return { config, storage, ingestion, processing, api };
}

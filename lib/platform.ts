import { Tags, type App } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { applyComplianceChecks } from './compliance';
import { environmentConfig, resolveEnvironmentName, type EnvironmentConfig } from './config/environments';
import { ApiStack } from './stacks/api-stack';
import { AuditStack } from './stacks/audit-stack';
import { GovernanceStack } from './stacks/governance-stack';
import { IngestionStack } from './stacks/ingestion-stack';
import { ProcessingStack } from './stacks/processing-stack';
import { SiteStack } from './stacks/site-stack';
import { StorageStack } from './stacks/storage-stack';

export interface Platform {
  readonly config: EnvironmentConfig;
  readonly storage: StorageStack;
  readonly audit: AuditStack;
  readonly ingestion: IngestionStack;
  readonly processing: ProcessingStack;
  readonly api: ApiStack;
  readonly site: SiteStack;
  readonly governance: GovernanceStack;
}

/** `C2c-dev-Storage`, `C2c-prod-Storage`, ... */
export function stackName(config: EnvironmentConfig, component: string): string {
  return `C2c-${config.name}-${component}`;
}

/**
 * Adds the platform's stacks for the environment named by the `env` context (`-c env=prod`,
 * default dev) to the app, with the compliance checks; or for `config`, a variant of one (tests).
 */
export function buildPlatform(app: App, config: EnvironmentConfig = environmentConfig(resolveEnvironmentName(app.node.tryGetContext('env')))): Platform {
  const env = { account: config.account, region: config.region };

  const storage = new StorageStack(app, stackName(config, 'Storage'), {
    env,
    config,
    terminationProtection: config.terminationProtection,
    description: `Cradle-to-Career data platform (${config.name}): data lake buckets, KMS keys and Glue databases.`,
    // Partner drops start ingestion through EventBridge.
    eventBridgeZones: ['landing'],
  });

  // Records every read and write of the storage stack's buckets, and every management call.
  const audit = new AuditStack(app, stackName(config, 'Audit'), {
    env,
    config,
    storage: storage.storage,
    terminationProtection: config.terminationProtection,
    description: `Cradle-to-Career data platform (${config.name}): the audit trail (CloudTrail) and its log bucket.`,
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

  // The dashboards, calling the API from the browser: refers to the API stack's REST API; nothing refers to it.
  const site = new SiteStack(app, stackName(config, 'Site'), {
    env,
    config,
    apiStage: api.api.stage,
    terminationProtection: config.terminationProtection,
    description: `Cradle-to-Career data platform (${config.name}): the dashboards (S3 behind CloudFront) over the Query API.`,
  });

  // Tags every database and table of the app, and grants by tag: it refers to the stacks above, none of them to it.
  const governance = new GovernanceStack(app, stackName(config, 'Governance'), {
    env,
    config,
    storage: storage.storage,
    tables: app.node.findAll().filter((construct): construct is glue.CfnTable => construct instanceof glue.CfnTable),
    queryApiRole: api.handler.role,
    analystQueries: processing.queries,
    terminationProtection: config.terminationProtection,
    description: `Cradle-to-Career data platform (${config.name}): Lake Formation tags and grants, analyst and operator roles.`,
  });

  Tags.of(app).add('c2c:environment', config.name);
  applyComplianceChecks(app);
  return { config, storage, audit, ingestion, processing, api, site, governance };
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { allContracts } from '../../core/contracts/catalog';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { STABLE_ID_TABLES } from '../../core/linkage/stable-ids';
import type { Plan } from '../../core/plan/plan';
import { environmentConfig, type EnvironmentName } from '../../lib/config/environments';
import { ATHENA_ENGINE_VERSION, QueryWorkgroup } from '../../lib/consumption/query-workgroup';
import { CONTRACT_FIELD_TYPES, LakeCatalogTables } from '../../lib/governance/lake-catalog-tables';
import { buildPlatform } from '../../lib/platform';
import { checkPipelineStages, pipelineStages, stageZones, type PipelineStage } from '../../lib/processing/pipeline-plans';
import { GLUE_TRANSIENT_ERRORS } from '../../lib/processing/plan-pipeline';
import { cdkJsonContext } from './cdk-context';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
type Tag = { Key: string; Value: string };
type State = {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string; Variable: string; NumericGreaterThan: number }[];
  Retry?: { ErrorEquals: string[]; IntervalSeconds: number; MaxAttempts: number; BackoffRate: number; MaxDelaySeconds?: number; JitterStrategy?: string }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath: string }[];
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Result?: string;
  ErrorPath?: string;
  CausePath?: string;
};

const STAGES = pipelineStages();

function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext(), ...context }, builtinCloudFormationValidation: false });
}

function resources(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

function tagValue(resource: Resource, key: string): string | undefined {
  return ((resource.Properties.Tags ?? []) as Tag[]).find((tag) => tag.Key === key)?.Value;
}

function actionsOf(statement: Statement): string[] {
  return ([] as string[]).concat(statement.Action);
}

/** Every statement of every IAM policy attached to the role, and of its inline policies. */
function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(resources(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** A CloudFormation value with every reference written out, e.g. `{"Ref":"X"}` as `<Ref:X>`, for text comparisons. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(delimiter);
  }
  if (node['Fn::Sub']) return String(node['Fn::Sub']);
  if (node['Fn::GetStackOutput']) return `<Output:${(node['Fn::GetStackOutput'] as { OutputName: string }).OutputName}>`;
  if (node.Ref) return `<Ref:${String(node.Ref)}>`;
  if (node['Fn::GetAtt']) return `<GetAtt:${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}

interface Synthesized {
  readonly storage: Template;
  readonly ingestion: Template;
  readonly processing: Template;
  readonly assemblyDir: string;
  readonly built: ReturnType<typeof buildPlatform>;
}

function platform(env: EnvironmentName): Synthesized {
  const app = testApp({ env });
  const built = buildPlatform(app);
  const assembly = app.synth();
  return {
    storage: Template.fromStack(built.storage),
    ingestion: Template.fromStack(built.ingestion),
    processing: Template.fromStack(built.processing),
    assemblyDir: assembly.directory,
    built,
  };
}

describe('the pipeline stages (lib/processing/pipeline-plans.ts)', () => {
  test('are, today, identity records, keeping the previous crosswalk, linkage with stable ids, the linked tables and the outcome cube, and check out', () => {
    expect(STAGES.map((stage) => stage.name)).toEqual(['identity-records', 'keep-previous-crosswalk', 'linkage', 'linked-tables', 'outcome-cube']);
    expect(checkPipelineStages(STAGES)).toBe(STAGES);
  });

  test('read and write only the zones of their plans: raw → identity → linked → outcomes', () => {
    expect(STAGES.map((stage) => [stage.name, stageZones(stage)])).toEqual([
      ['identity-records', { reads: ['raw'], writes: ['identity'] }],
      ['keep-previous-crosswalk', { reads: ['identity'], writes: ['identity'] }],
      ['linkage', { reads: ['identity'], writes: ['identity'] }],
      ['linked-tables', { reads: ['raw', 'identity'], writes: ['linked'] }],
      ['outcome-cube', { reads: ['linked'], writes: ['outcomes'] }],
    ]);
  });

  test('linkage reads the previous crosswalk, except on the first run, and writes the crosswalk and the id lineage', () => {
    const linkage = STAGES[2] as PipelineStage;
    expect(linkage.plan.inputs[STABLE_ID_TABLES.previousXwalk]).toEqual({ format: 'parquet', location: 'identity/linkage/previous_person_xwalk.parquet' });
    expect(linkage.firstRun?.whenMissing).toBe('identity/person_xwalk.parquet');
    expect(linkage.firstRun?.plan?.inputs[STABLE_ID_TABLES.previousXwalk]).toBeUndefined();
    for (const plan of [linkage.plan, linkage.firstRun?.plan as Plan]) {
      expect(plan.outputs.person_crosswalk?.location).toBe('identity/person_xwalk.parquet');
      expect(plan.outputs[STABLE_ID_TABLES.idLineage]?.location).toBe('identity/id_lineage.parquet');
    }
    // The copy is skipped on the first run, when there is nothing to copy.
    expect(STAGES[1]?.firstRun).toEqual({ whenMissing: 'identity/person_xwalk.parquet', plan: null });
    expect(STAGES[1]?.plan.outputs.previous_person_xwalk?.location).toBe('identity/linkage/previous_person_xwalk.parquet');
  });

  test('identity records read every dataset the identity mapping covers, from ingestion\'s raw layout', () => {
    const inputs = Object.values((STAGES[0] as PipelineStage).plan.inputs);
    expect(inputs.length).toBeGreaterThan(5);
    for (const input of inputs) expect(input).toEqual({ format: 'parquet', location: expect.stringMatching(/^raw\/[a-z0-9_]+\/partner=[a-z]+$/), hivePartitioning: true });
  });

  test('a stage list with a repeated name, a catalogued table no plan writes, or a location outside the zones is refused, naming each problem', () => {
    const [first] = STAGES as [PipelineStage];
    const broken: PipelineStage[] = [
      first,
      { ...first, catalog: { not_an_output: [{ name: 'a', type: 'string' }] } },
      {
        ...first,
        name: 'Bad_Name',
        plan: { ...first.plan, outputs: { identity_records: { format: 'parquet', location: 'nowhere/x.parquet' } } },
        catalog: undefined,
      },
    ];
    expect(() => checkPipelineStages(broken)).toThrow(
      /stage identity-records is defined twice.*catalogued table not_an_output is not an output.*"Bad_Name" must be lowercase.*nowhere\/x\.parquet is not <zone>\/<key>/,
    );
  });
});

describe.each(['dev', 'prod'] as const)('the %s processing stack', (env) => {
  const { storage, ingestion, processing, assemblyDir, built } = platform(env);
  const config = environmentConfig(env, {});
  const storageOutputs = storage.toJSON().Outputs as Record<string, { Value: unknown }>;
  const ingestionOutputs = ingestion.toJSON().Outputs as Record<string, { Value: unknown }>;

  /** What an `Fn::GetStackOutput` of the processing template refers to in the storage or ingestion template. */
  const producerValue = (value: unknown): unknown => {
    const output = (value as { 'Fn::GetStackOutput'?: { OutputName: string; StackName: string } })['Fn::GetStackOutput'];
    if (!output) return value;
    const outputs = output.StackName.endsWith('-Storage') ? storageOutputs : ingestionOutputs;
    expect(Object.keys(outputs)).toContain(output.OutputName);
    return outputs[output.OutputName]?.Value;
  };
  const zoneResource = (type: string, zone: ZoneName): string => {
    const found = Object.entries(resources(storage, type)).find(([, resource]) => tagValue(resource, 'c2c:zone') === zone);
    if (!found) throw new Error(`no ${zone} ${type}`);
    return found[0];
  };
  const zoneBucket = (zone: ZoneName): string => zoneResource('AWS::S3::Bucket', zone);
  const zoneKey = (zone: ZoneName): string => zoneResource('AWS::KMS::Key', zone);
  /** `raw objects`, `identity bucket`, `linked key`, ... for a resource of a statement that names the storage stack. */
  const zoneTarget = (resource: unknown): string | undefined => {
    const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    const [reference, suffix] = join ? (join[1] as [unknown, unknown]) : [resource, undefined];
    if (join && suffix !== '/*') return undefined;
    const value = JSON.stringify(producerValue(reference));
    for (const zone of ZONE_NAMES) {
      if (value === JSON.stringify({ 'Fn::GetAtt': [zoneBucket(zone), 'Arn'] })) return `${zone} ${join ? 'objects' : 'bucket'}`;
      if (value === JSON.stringify({ 'Fn::GetAtt': [zoneKey(zone), 'Arn'] })) return `${zone} key`;
    }
    return undefined;
  };

  const jobs = resources(processing, 'AWS::Glue::Job');
  const jobOf = (stage: string): [string, Resource] => {
    const found = Object.entries(jobs).find(([, job]) => job.Properties.Name === `c2c-${env}-plan-${stage}`);
    if (!found) throw new Error(`no job for ${stage}`);
    return found;
  };
  const argumentsOf = (stage: string): Record<string, unknown> => jobOf(stage)[1].Properties.DefaultArguments as Record<string, unknown>;
  const roleOf = (stage: string): string => (jobOf(stage)[1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const [scratchId] = Object.entries(resources(processing, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('PlanRunnerScratch')) ?? [''];
  /** The staged file of an asset named by its s3:// URL (`.../<hash>.<ext>`). */
  const assetFile = (url: unknown): string => join(assemblyDir, `asset.${flatten(url).split('/').pop() ?? ''}`);

  test('is named C2c-<env>-Processing and depends on the storage and ingestion stacks, which never refer to it', () => {
    expect(built.processing.stackName).toBe(`C2c-${env}-Processing`);
    expect(built.processing.dependencies.map((dependency) => dependency.stackName).sort()).toEqual([`C2c-${env}-Ingestion`, `C2c-${env}-Storage`]);
    expect(built.processing.terminationProtection).toBe(env === 'prod');
    expect(JSON.stringify(storage.toJSON())).not.toContain('Processing');
    expect(JSON.stringify(ingestion.toJSON())).not.toContain('Processing');
  });

  describe('the plan-runner jobs', () => {
    test('one Glue 5.0 job per stage, workers and timeout from the environment, no Glue retries, one run at a time, the security configuration', () => {
      expect(Object.keys(jobs)).toHaveLength(STAGES.length);
      const [securityConfigurationId] = Object.keys(resources(processing, 'AWS::Glue::SecurityConfiguration'));
      for (const stage of STAGES) {
        expect(jobOf(stage.name)[1].Properties).toMatchObject({
          GlueVersion: '5.0',
          Command: { Name: 'glueetl', PythonVersion: '3' },
          WorkerType: config.processing.workerType,
          NumberOfWorkers: config.processing.numberOfWorkers,
          Timeout: config.processing.jobTimeout.toMinutes(),
          MaxRetries: 0,
          ExecutionProperty: { MaxConcurrentRuns: 1 },
          SecurityConfiguration: { Ref: securityConfigurationId },
        });
      }
      expect(jobOf('linkage')[1].Properties).toMatchObject(env === 'prod' ? { WorkerType: 'G.2X', NumberOfWorkers: 10, Timeout: 360 } : { WorkerType: 'G.1X', NumberOfWorkers: 2, Timeout: 60 });
    });

    test('run c2c_glue/glue_job.py with the c2c_glue package as a zip, both assets', () => {
      for (const stage of STAGES) {
        const [, job] = jobOf(stage.name);
        const script = (job.Properties.Command as { ScriptLocation: unknown }).ScriptLocation;
        expect(readFileSync(assetFile(script), 'utf8')).toBe(readFileSync(join(__dirname, '..', '..', 'glue-jobs', 'c2c_glue', 'glue_job.py'), 'utf8'));
        const extraPyFiles = flatten(argumentsOf(stage.name)['--extra-py-files']);
        expect(extraPyFiles).toMatch(/^s3:\/\/cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-us-west-2\/[0-9a-f]{64}\.zip$/);
        // The staged folder is what CDK zips: c2c_glue/ at its root, the modules in it, nothing else.
        const staged = assetFile(extraPyFiles).replace(/\.zip$/, '');
        for (const module of ['__init__.py', 'glue_job.py', 'plan_runner.py', 'functions.py']) expect(existsSync(join(staged, 'c2c_glue', module))).toBe(true);
        expect(existsSync(join(staged, 'tests'))).toBe(false);
        expect(existsSync(join(staged, '.venv'))).toBe(false);
      }
    });

    test('take the stage\'s plan, written at synthesis, as an asset, and its first-run variant when it has one', () => {
      const [, linkage] = jobOf('linkage');
      const planUrls = new Set<string>();
      for (const stage of STAGES) {
        const planUrl = argumentsOf(stage.name)['--plan'];
        expect(JSON.parse(readFileSync(assetFile(planUrl), 'utf8'))).toEqual(JSON.parse(JSON.stringify(stage.plan)));
        planUrls.add(flatten(planUrl));
      }
      expect(planUrls.size).toBe(STAGES.length);
      expect(linkage).toBeDefined();
    });

    test('bind every location of their plans to s3://<zone bucket>/<key>', () => {
      for (const stage of STAGES) {
        const bindingsJoin = (argumentsOf(stage.name)['--bindings'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
        const text = bindingsJoin.map((part) => (typeof part === 'string' ? part : `<${flatten(producerValue(part))}>`)).join('');
        const bindings = JSON.parse(text) as Record<string, string>;
        const plans = [stage.plan, ...(stage.firstRun?.plan ? [stage.firstRun.plan] : [])];
        const locations = new Set(plans.flatMap((plan) => [...Object.values(plan.inputs), ...Object.values(plan.outputs)].map((binding) => binding.location)));
        expect(Object.keys(bindings).sort()).toEqual([...locations].sort());
        for (const [location, uri] of Object.entries(bindings)) {
          const [zone, ...key] = location.split('/');
          expect(uri).toBe(`s3://<<Ref:${zoneBucket(zone as ZoneName)}>>/${key.join('/')}`);
        }
      }
    });

    test('disable bookmarks, log continuously to the encrypted log group, keep scratch under their own prefix, can run by hand', () => {
      const [logGroupId, logGroup] = Object.entries(resources(processing, 'AWS::Logs::LogGroup')).find(([id]) => id.startsWith('PlanRunnerLogs')) ?? [];
      expect(logGroup?.Properties).toMatchObject({ LogGroupName: `/aws-glue/jobs/c2c-${env}-plan-runner`, KmsKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
      for (const stage of STAGES) {
        expect(argumentsOf(stage.name)).toMatchObject({
          '--job-bookmark-option': 'job-bookmark-disable',
          '--enable-continuous-cloudwatch-log': 'true',
          '--continuous-log-logGroup': { Ref: logGroupId },
          '--continuous-log-logStreamPrefix': `${stage.name}-`,
          '--enable-metrics': '',
          '--run_id': 'manual',
        });
        expect(flatten(argumentsOf(stage.name)['--TempDir'])).toBe(`s3://<Ref:${scratchId}>/${stage.name}/temp`);
      }
    });

    test('the security configuration encrypts logs (SSE-KMS) and bookmarks (CSE-KMS) with the log key, and leaves S3 to the buckets\' own keys', () => {
      const [, configuration] = Object.entries(resources(processing, 'AWS::Glue::SecurityConfiguration'))[0] as [string, Resource];
      const encryption = (configuration.Properties.EncryptionConfiguration ?? {}) as Record<string, unknown>;
      const logKey = { 'Fn::GetAtt': [expect.stringMatching(/^PlanRunnerLogKey/), 'Arn'] };
      expect(encryption).toMatchObject({
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: logKey },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: logKey },
      });
      // One key for every object a job writes would override the zone keys.
      expect(JSON.stringify(encryption.S3Encryptions ?? [])).not.toContain('SSE-KMS');
    });

    describe.each(STAGES.map((stage) => [stage.name, stage] as const))('the %s job\'s role', (name, stage) => {
      const roleId = roleOf(name);
      const statements = roleStatements(processing, roleId);
      const { reads, writes } = stageZones(stage);
      const on = (zone: ZoneName, what: 'objects' | 'bucket' | 'key'): string[] =>
        statements.filter((statement) => ([] as unknown[]).concat(statement.Resource).some((resource) => zoneTarget(resource) === `${zone} ${what}`)).flatMap(actionsOf).sort();

      test('trusts Glue only and has no managed policy', () => {
        const role = resources(processing, 'AWS::IAM::Role')[roleId] as Resource;
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
        expect(role.Properties.AssumeRolePolicyDocument).toEqual({
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' } }],
          Version: '2012-10-17',
        });
      });

      test('names no wildcard action and uses "*" only for Glue metrics', () => {
        expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
        const onEverything = statements.filter((statement) => ([] as unknown[]).concat(statement.Resource).includes('*'));
        expect(onEverything).toEqual([expect.objectContaining({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } } })]);
      });

      test('reads the zones its plans read, writes the zones they write (keys through S3 only), and touches no other zone', () => {
        for (const zone of ZONE_NAMES) {
          if (writes.includes(zone)) {
            expect(on(zone, 'objects')).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject']);
            expect(on(zone, 'key')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
          } else if (reads.includes(zone)) {
            expect(on(zone, 'objects')).toEqual(['s3:GetObject']);
            expect(on(zone, 'key')).toEqual(['kms:Decrypt']);
          } else {
            expect([zone, on(zone, 'objects'), on(zone, 'bucket'), on(zone, 'key')]).toEqual([zone, [], [], []]);
            continue;
          }
          expect(on(zone, 'bucket')).toEqual(['s3:ListBucket']);
        }
        for (const statement of statements.filter((s) => actionsOf(s).some((action) => action.startsWith('kms:')))) {
          if (JSON.stringify(statement.Resource).includes('LogKey')) continue;
          expect(statement.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } });
        }
        expect(statements.flatMap(actionsOf)).not.toContain('s3:DeleteObjectVersion');
      });

      test('loads exactly its script, package and plans, and touches only its own prefix of the scratch bucket', () => {
        const loads = statements.find((statement) => (statement as { Sid?: string }).Sid === 'LoadScriptPackageAndPlans');
        const objects = ([] as unknown[]).concat(loads?.Resource).map(flatten);
        const plans = stage.firstRun?.plan ? 2 : 1;
        expect(objects).toHaveLength(2 + plans);
        for (const object of objects) expect(object).toMatch(/^arn:<Ref:AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-us-west-2\/[0-9a-f]{64}\.(py|zip|json)$/);
        const scratch = statements.filter((statement) => flatten(statement.Resource).includes(`<GetAtt:${scratchId}.Arn>`));
        expect(scratch.map((statement) => flatten(statement.Resource))).toEqual([`<GetAtt:${scratchId}.Arn>/${name}/*`, `<GetAtt:${scratchId}.Arn>`]);
        expect(scratch[1]?.Condition).toEqual({ StringLike: { 's3:prefix': [`${name}/*`, name] } });
      });

      test('writes logs under /aws-glue/jobs/ only', () => {
        const logStatements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
        for (const statement of logStatements) {
          const resource = flatten(statement.Resource);
          expect(resource.startsWith('arn:') ? resource : 'ours').toMatch(/^(arn:<Ref:AWS::Partition>:logs:us-west-2:<Ref:AWS::AccountId>:log-group:\/aws-glue\/jobs\/\*|ours)$/);
          expect(actionsOf(statement)).not.toContain('logs:GetLogEvents');
        }
      });
    });
  });

  describe('the publish task', () => {
    const [taskDefinitionId, taskDefinition] = Object.entries(resources(processing, 'AWS::ECS::TaskDefinition'))[0] as [string, Resource];
    const [container] = taskDefinition.Properties.ContainerDefinitions as Array<Record<string, unknown>>;
    const taskRole = (taskDefinition.Properties.TaskRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

    test('runs the container of tasks/publish-outcomes on a read-only root file system, with a work volume, the zones\' bucket names and the configured size', () => {
      expect(taskDefinitionId).toMatch(/^PublishTaskDefinition/);
      expect(taskDefinition.Properties).toMatchObject({
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: String(config.processing.publishTask.cpu),
        Memory: String(config.processing.publishTask.memoryLimitMiB),
        Volumes: [{ Name: 'work' }],
      });
      expect(container).toMatchObject({ Name: 'Publish', ReadonlyRootFilesystem: true, MountPoints: [{ ContainerPath: '/work', SourceVolume: 'work', ReadOnly: false }] });
      const environment = (container?.Environment as Array<{ Name: string }>).map((variable) => variable.Name).sort();
      expect(environment).toEqual([...ZONE_NAMES.map((zone) => `${zone.toUpperCase()}_BUCKET`), 'TMPDIR'].sort());
      expect((container?.LogConfiguration as { LogDriver: string }).LogDriver).toBe('awslogs');
    });

    test('its role reads the outcomes zone, writes published/outcomes/ and the disclosure summary, and nothing else', () => {
      const targets = roleStatements(processing, taskRole).flatMap((statement) => ([] as unknown[]).concat(statement.Resource).map((resource) => {
        const zone = zoneTarget(resource);
        return `${actionsOf(statement).join(',')} ${zone ?? flatten(resource).replace(/^<Output:[^>]*>/, '<bucket>')}`;
      }));
      expect(targets).toEqual(expect.arrayContaining(['s3:GetObject outcomes objects', 's3:PutObject <bucket>/disclosure_summary.json']));
      for (const target of targets) expect(target).not.toMatch(/\b(raw|identity|linked|landing|quarantine)\b/);
      for (const statement of roleStatements(processing, taskRole)) expect(actionsOf(statement).every((action) => !action.includes('*'))).toBe(true);
    });

    test('has no way out but HTTPS to S3 and its endpoints: isolated subnets, no NAT, flow logs on', () => {
      expect(resources(processing, 'AWS::EC2::NatGateway')).toEqual({});
      expect(resources(processing, 'AWS::EC2::InternetGateway')).toEqual({});
      expect(Object.keys(resources(processing, 'AWS::EC2::FlowLog'))).toHaveLength(1);
      const endpoints = Object.values(resources(processing, 'AWS::EC2::VPCEndpoint')).map((endpoint) => flatten(endpoint.Properties.ServiceName));
      expect(endpoints.map((name) => name.replace(/^com\.amazonaws\.[^.]+\./, '')).sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs', 's3']);
      const [, group] = Object.entries(resources(processing, 'AWS::EC2::SecurityGroup')).find(([id]) => id.startsWith('PublishTaskSecurityGroup')) as [string, Resource];
      expect((group.Properties.SecurityGroupEgress as Array<{ IpProtocol: string; FromPort: number; ToPort: number }>).map((rule) => [rule.IpProtocol, rule.FromPort, rule.ToPort])).toEqual([['tcp', 443, 443]]);
    });
  });

  describe('the state machine', () => {
    const [, machine] = Object.entries(resources(processing, 'AWS::StepFunctions::StateMachine'))[0] as [string, Resource];
    const definitionParts = (machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const definition = JSON.parse(definitionParts.map((part) => (typeof part === 'string' ? part : JSON.stringify(flatten(part)).slice(1, -1))).join('')) as {
      StartAt: string;
      States: Record<string, State>;
      TimeoutSeconds: number;
    };
    const states = definition.States;
    const jobNameOf = (state: State): string => String(state.Parameters?.JobName);
    const stageOfJob = (reference: string): string => {
      const found = Object.entries(jobs).find(([id]) => reference === `<Ref:${id}>`);
      return String(found?.[1].Properties.Name).replace(`c2c-${env}-plan-`, '');
    };

    test('runs the stages in the registry\'s order, each after a first-run check where it has a variant, and ends in success', () => {
      // Follow the path of a run after the first (every check finds an earlier run).
      const visited: string[] = [];
      let name: string | undefined = definition.StartAt;
      while (name) {
        const state: State = states[name] as State;
        visited.push(`${state.Type}:${name}`);
        name = state.Type === 'Choice' ? state.Choices?.[0]?.Next : state.Next;
        if (state.Type === 'Succeed') break;
      }
      expect(visited).toEqual([
        'Task:Run identity-records',
        'Task:Earlier run before keep-previous-crosswalk?',
        'Choice:First run of keep-previous-crosswalk?',
        'Task:Run keep-previous-crosswalk',
        'Task:Earlier run before linkage?',
        'Choice:First run of linkage?',
        'Task:Run linkage',
        'Task:Run linked-tables',
        'Task:Run outcome-cube',
        'Task:Run publish',
        'Choice:Did publish succeed?',
        'Succeed:Pipeline succeeded',
      ]);
      const runs = visited.filter((state) => state.startsWith('Task:Run ') && state !== 'Task:Run publish').map((state) => stageOfJob(jobNameOf(states[state.slice(5)] as State)));
      expect(runs).toEqual(STAGES.map((stage) => stage.name));
    });

    test('on a first run, skips the crosswalk copy and runs linkage\'s first-run plan', () => {
      expect(states['First run of keep-previous-crosswalk?']?.Default).toBe('Earlier run before linkage?');
      expect(states['First run of linkage?']?.Default).toBe('Run linkage (first run)');
      const firstRun = states['Run linkage (first run)'] as State;
      expect(stageOfJob(jobNameOf(firstRun))).toBe('linkage');
      const planArgument = String((firstRun.Parameters?.Arguments as Record<string, unknown>)['--plan']);
      const firstRunPlan = JSON.parse(readFileSync(join(assemblyDir, `asset.${planArgument.split('/').pop() ?? ''}`), 'utf8')) as Plan;
      expect(firstRunPlan).toEqual(JSON.parse(JSON.stringify(STAGES[2]?.firstRun?.plan)));
      expect(firstRun.Next).toBe('Run linked-tables');
      // The check lists one key of the crosswalk's folder in the identity bucket.
      expect(states['Earlier run before linkage?']).toMatchObject({
        Resource: expect.stringContaining(':states:::aws-sdk:s3:listObjectsV2'),
        Parameters: { Prefix: 'person_xwalk.parquet/', MaxKeys: 1 },
      });
      expect(states['First run of linkage?']?.Choices).toEqual([
        { Variable: '$.earlierRun.linkage.objects', NumericGreaterThan: 0, Next: 'Run linkage' },
      ]);
    });

    test('each job run waits for the job (.sync), passes a run id, and retries Glue throttling and concurrency limits with backoff', () => {
      const runStates = Object.entries(states).filter(([, state]) => state.Resource?.endsWith(':states:::glue:startJobRun.sync'));
      expect(runStates.map(([name]) => name).sort()).toEqual(['Run identity-records', 'Run keep-previous-crosswalk', 'Run linkage', 'Run linkage (first run)', 'Run linked-tables', 'Run outcome-cube']);
      for (const [name, state] of runStates) {
        expect(state.Parameters?.Timeout).toBeUndefined();
        const stage = stageOfJob(jobNameOf(state));
        expect((state.Parameters?.Arguments as Record<string, unknown>)['--run_id.$']).toBe(`States.Format('{}-${stage}', $$.Execution.Name)`);
        expect(state.Retry?.[0]).toEqual({
          ErrorEquals: [...GLUE_TRANSIENT_ERRORS],
          IntervalSeconds: 60,
          BackoffRate: 2,
          MaxAttempts: 8,
          MaxDelaySeconds: 900,
          JitterStrategy: 'FULL',
        });
        expect(state.Retry?.[0]?.ErrorEquals).toEqual(expect.arrayContaining(['Glue.ConcurrentRunsExceededException', 'Glue.ThrottlingException']));
        // Prod starts a failed job once more; dev does not.
        expect(state.Retry?.slice(1)).toEqual(
          env === 'prod' ? [{ ErrorEquals: ['States.TaskFailed', 'States.Timeout'], IntervalSeconds: 600, BackoffRate: 2, MaxAttempts: 1 }] : [],
        );
        expect(name).toMatch(new RegExp(`^Run ${stage}`));
      }
    });

    test('any error of a stage goes to its failure state, which notifies the operators\' topic and fails the execution', () => {
      for (const [name, state] of Object.entries(states).filter(([, s]) => s.Type === 'Task' && !s.Resource?.includes('sns:publish'))) {
        const stage = name.replace(/^Run /, '').replace(/^Earlier run before /, '').replace(/\?$/, '').replace(/ \(first run\)$/, '');
        expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: `${stage} failed` }]);
        expect(states[`${stage} failed`]).toEqual({ Type: 'Pass', Result: stage, ResultPath: '$.failedStage', Next: 'NotifyOperators' });
      }
      const notify = states.NotifyOperators as State;
      expect(notify.Resource).toContain(':states:::sns:publish');
      expect(producerValue(JSON.parse(String(notify.Parameters?.TopicArn).replace(/^<Output:(.*)>$/, '{"Fn::GetStackOutput":{"StackName":"C2c-x-Ingestion","OutputName":"$1"}}')))).toEqual({
        Ref: expect.stringMatching(/^OperatorAlertsTopic/),
      });
      expect(notify.Next).toBe('PipelineFailed');
      expect(states.PipelineFailed).toEqual({ Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' });
    });

    test('publishes after the outcome cube: the publish task on Fargate, waited for, with the execution as its run id, and only exit code 0 counts as success', () => {
      const run = states['Run publish'] as State;
      expect(run.Resource).toContain(':states:::ecs:runTask.sync');
      expect(run.Parameters).toMatchObject({
        LaunchType: 'FARGATE',
        NetworkConfiguration: { AwsvpcConfiguration: { SecurityGroups: [expect.stringMatching(/^<GetAtt:PublishTaskSecurityGroup/)], Subnets: [expect.stringMatching(/^<Ref:PublishVpcisolated/), expect.stringMatching(/^<Ref:PublishVpcisolated/)] } },
        Overrides: { ContainerOverrides: [{ Name: 'Publish', Environment: [{ Name: 'RUN_ID', 'Value.$': '$$.Execution.Name' }] }] },
      });
      expect(run.Next).toBe('Did publish succeed?');
      const choice = states['Did publish succeed?'] as State & { Choices: Array<{ And: unknown[]; Next: string }> };
      expect(choice.Choices).toEqual([{
        And: [
          { Variable: '$.stages.publish.containers[0].ExitCode', IsPresent: true },
          { Variable: '$.stages.publish.containers[0].ExitCode', NumericEquals: 0 },
        ],
        Next: 'Pipeline succeeded',
      }]);
      expect(choice.Default).toBe('publish exited with an error');
      expect(states['publish exited with an error']).toMatchObject({ Type: 'Pass', ResultPath: '$.failure', Next: 'publish failed' });
    });

    test('logs every event to a KMS-encrypted log group, is traced by X-Ray, and times out after the environment\'s limit', () => {
      expect(machine.Properties).toMatchObject({
        StateMachineName: `c2c-${env}-pipeline`,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      });
      expect(definition.TimeoutSeconds).toBe(config.processing.pipelineTimeout.toSeconds());
      const [, logGroup] = Object.entries(resources(processing, 'AWS::Logs::LogGroup')).find(([id]) => id.startsWith('PipelineLogs')) ?? [];
      expect(logGroup?.Properties).toMatchObject({
        LogGroupName: `/aws/vendedlogs/states/c2c-${env}-pipeline`,
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^PlanRunnerLogKey/), 'Arn'] },
        RetentionInDays: env === 'prod' ? 365 : 30,
      });
    });

    test('its role starts and watches the stages\' jobs only, lists the identity bucket only, and publishes through the alerts key via SNS only', () => {
      const roleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = roleStatements(processing, roleId);
      const glueStatements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('glue:')));
      const jobArns = glueStatements.flatMap((statement) => ([] as unknown[]).concat(statement.Resource).map(flatten));
      expect(new Set(jobArns).size).toBe(STAGES.length);
      for (const arn of jobArns) expect(arn).toMatch(/^arn:aws:glue:us-west-2:<Ref:AWS::AccountId>:job\/<Ref:Stage[a-z]+Job[0-9A-F]{8}>$/);
      const s3Statements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
      expect(s3Statements.flatMap(actionsOf)).toEqual(['s3:ListBucket']);
      expect(s3Statements.flatMap((statement) => ([] as unknown[]).concat(statement.Resource)).map((resource) => JSON.stringify(producerValue(resource)))).toEqual([
        JSON.stringify({ 'Fn::GetAtt': [zoneBucket('identity'), 'Arn'] }),
      ]);
      const kmsStatement = statements.find((statement) => actionsOf(statement).includes('kms:GenerateDataKey'));
      expect(kmsStatement?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'sns.us-west-2.amazonaws.com' } });
      expect(producerValue(kmsStatement?.Resource)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OperatorAlertsKey/), 'Arn'] });
      expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
    });

    test(env === 'prod' ? 'starts every Sunday at 09:00 UTC' : 'has no schedule (started by hand)', () => {
      const rules = Object.values(resources(processing, 'AWS::Events::Rule'));
      if (env === 'dev') {
        expect(rules).toEqual([]);
        return;
      }
      expect(rules).toEqual([
        expect.objectContaining({
          Properties: expect.objectContaining({
            ScheduleExpression: 'cron(0 9 ? * SUN *)',
            State: 'ENABLED',
            Targets: [expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^PipelineStateMachine/) }, Input: '{"trigger":"schedule"}' })],
          }),
        }),
      ]);
    });

    test('an execution that times out alarms the operators', () => {
      const alarms = Object.values(resources(processing, 'AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.Properties).toMatchObject({ MetricName: 'ExecutionsTimedOut', Namespace: 'AWS/States', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect((alarms[0]?.Properties.AlarmActions as unknown[]).map(producerValue)).toEqual([{ Ref: expect.stringMatching(/^OperatorAlertsTopic/) }]);
    });
  });

  describe('the catalog tables', () => {
    const tables = Object.values(resources(processing, 'AWS::Glue::Table'));
    const databaseOf = (table: Resource): unknown => producerValue(table.Properties.DatabaseName);
    /** The table of that name, in the zone's database (raw by default: raw and linked both have a `credentials`). */
    const tableNamed = (name: string, zone: ZoneName = 'raw'): Resource => {
      const found = tables.find((table) => (table.Properties.TableInput as { Name: string }).Name === name && JSON.stringify(databaseOf(table)) === JSON.stringify(zoneDatabase(zone)))
        ?? tables.find((table) => (table.Properties.TableInput as { Name: string }).Name === name && zone === 'raw');
      if (!found) throw new Error(`no table ${name} in ${zone}`);
      return found;
    };
    const zoneDatabase = (zone: ZoneName): unknown => {
      const databases = resources(storage, 'AWS::Glue::Database');
      const found = Object.entries(databases).find(([, database]) => (database.Properties.DatabaseInput as { Name: string }).Name === `c2c_${env}_${zone}`);
      return { Ref: found?.[0] };
    };

    test('one raw table per dataset, its columns the contract\'s fields typed as ingestion writes them, then the lineage columns', () => {
      const contracts = allContracts();
      const catalogued = STAGES.reduce((sum, stage) => sum + Object.keys(stage.catalog ?? {}).length, 0);
      expect(tables).toHaveLength(new Set(contracts.map((contract) => contract.dataset)).size + catalogued);
      for (const contract of contracts) {
        const table = tableNamed(contract.dataset);
        expect(databaseOf(table)).toEqual(zoneDatabase('raw'));
        const input = table.Properties.TableInput as { StorageDescriptor: { Columns: { Name: string; Type: string }[]; Location: unknown; SerdeInfo: unknown }; PartitionKeys: unknown[]; TableType: string };
        expect(input.StorageDescriptor.Columns.map((column) => [column.Name, column.Type])).toEqual([
          ...contract.schema.fields.map((field) => [field.name, CONTRACT_FIELD_TYPES[field.type]]),
          ['_source_object', 'string'],
          ['_source_line', 'bigint'],
        ]);
        expect(input.PartitionKeys).toEqual([
          expect.objectContaining({ Name: 'partner', Type: 'string' }),
          expect.objectContaining({ Name: 'ingest_date', Type: 'date' }),
        ]);
        expect(input.TableType).toBe('EXTERNAL_TABLE');
        expect(input.StorageDescriptor.SerdeInfo).toEqual({ SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' });
        expect(flatten(input.StorageDescriptor.Location)).toBe(`s3://<Output:${flatten(input.StorageDescriptor.Location).match(/<Output:([^>]+)>/)?.[1] ?? ''}>/${contract.dataset}/`);
        expect(producerValue((input.StorageDescriptor.Location as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][1])).toEqual({ Ref: zoneBucket('raw') });
      }
      expect(LakeCatalogTables.rawColumns(contracts[0] as (typeof contracts)[0]).length).toBe((contracts[0]?.schema.fields.length ?? 0) + 2);
    });

    test('raw tables find their partitions by projection, as ingestion lays them out: partner from the contracts, ingest_date by day', () => {
      for (const contract of allContracts()) {
        const parameters = (tableNamed(contract.dataset).Properties.TableInput as { Parameters: Record<string, unknown> }).Parameters;
        expect(parameters).toMatchObject({
          classification: 'parquet',
          'projection.enabled': 'true',
          'projection.partner.type': 'enum',
          'projection.partner.values': contract.partner,
          'projection.ingest_date.type': 'date',
          'projection.ingest_date.format': 'yyyy-MM-dd',
          'projection.ingest_date.range': `${config.processing.firstIngestDate},NOW`,
          'projection.ingest_date.interval': '1',
          'projection.ingest_date.interval.unit': 'DAYS',
        });
        expect(flatten(parameters['storage.location.template'])).toMatch(new RegExp(`^s3://<Output:[^>]+>/${contract.dataset}/partner=\\$\\{partner\\}/ingest_date=\\$\\{ingest_date\\}/$`));
      }
    });

    test('the catalogued plan outputs are tables of their zone\'s database, at the outputs\' folders, with the declared columns', () => {
      for (const stage of STAGES) {
        for (const [name, columns] of Object.entries(stage.catalog ?? {})) {
          const zone = stage.plan.outputs[name]?.location.split('/')[0] as ZoneName;
          const table = tableNamed(name, zone);
          expect(databaseOf(table)).toEqual(zoneDatabase(zone));
          const input = table.Properties.TableInput as { StorageDescriptor: { Columns: { Name: string; Type: string }[]; Location: unknown }; PartitionKeys?: unknown };
          expect(input.StorageDescriptor.Columns.map((column) => [column.Name, column.Type])).toEqual(columns.map((column) => [column.name, column.type]));
          expect(input.PartitionKeys).toBeUndefined();
          const key = stage.plan.outputs[name]?.location.replace(/^[a-z]+\//, '');
          expect(flatten(input.StorageDescriptor.Location)).toMatch(new RegExp(`^s3://<Output:[^>]+>/${key?.replace('.', '\\.')}/$`));
        }
      }
      expect(tableNamed('identity_records', 'identity').Properties.TableInput).toMatchObject({
        StorageDescriptor: {
          Columns: expect.arrayContaining([
            expect.objectContaining({ Name: 'record_id', Type: 'string' }),
            expect.objectContaining({ Name: 'birth_date', Type: 'date' }),
            expect.objectContaining({ Name: 'n_source_rows', Type: 'bigint' }),
          ]),
        },
      });
      expect((tableNamed('person_crosswalk', 'identity').Properties.TableInput as { StorageDescriptor: { Columns: { Name: string }[] } }).StorageDescriptor.Columns.map((c) => c.Name)).toEqual(['record_id', 'source', 'source_id', 'c2c_id', 'match_probability']);
    });
  });

  describe('the Athena workgroup', () => {
    const [, workgroup] = Object.entries(resources(processing, 'AWS::Athena::WorkGroup'))[0] as [string, Resource];
    const [resultsId, results] = Object.entries(resources(processing, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('QueriesResults')) ?? [];

    test('enforces its configuration: SSE-KMS results in the results bucket, the scan limit, engine version 3, CloudWatch metrics', () => {
      expect(workgroup.Properties).toMatchObject({
        Name: `c2c-${env}-analysts`,
        State: 'ENABLED',
        RecursiveDeleteOption: env === 'dev',
        WorkGroupConfiguration: {
          EnforceWorkGroupConfiguration: true,
          BytesScannedCutoffPerQuery: config.consumption.bytesScannedCutoffPerQuery,
          EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE_VERSION },
          PublishCloudWatchMetricsEnabled: true,
          RequesterPaysEnabled: false,
          ResultConfiguration: {
            EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^QueriesResultsKey/), 'Arn'] } },
            ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
          },
        },
      });
      expect(config.consumption.bytesScannedCutoffPerQuery).toBe((env === 'prod' ? 100 : 10) * 1024 ** 3);
      expect(flatten((workgroup.Properties.WorkGroupConfiguration as { ResultConfiguration: { OutputLocation: unknown } }).ResultConfiguration.OutputLocation)).toBe(`s3://<Ref:${resultsId}>/results/`);
    });

    test('the results bucket: its own KMS key, TLS only, private, access-logged, results expire', () => {
      expect(results?.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^QueriesResultsKey/), 'Arn'] } } },
          ],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogsBucket/) }, LogFilePrefix: 'query-results/' },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: config.consumption.queryResultRetention.toDays(), Status: 'Enabled' })] },
      });
      processing.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: resultsId },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    test('the scratch bucket: its own KMS key, access-logged, scratch expires', () => {
      const scratch = resources(processing, 'AWS::S3::Bucket')[scratchId] as Resource;
      expect(scratch.Properties).toMatchObject({
        LoggingConfiguration: { LogFilePrefix: 'plan-scratch/' },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: config.processing.scratchRetention.toDays() })] },
      });
      expect(JSON.stringify(scratch.Properties.BucketEncryption)).toContain('PlanRunnerScratchKey');
    });
  });
});

describe('QueryWorkgroup', () => {
  const stack = (): Stack => new Stack(testApp(), 'Test', { env: { region: 'us-west-2' } });
  const logs = (scope: Stack): s3.IBucket => s3.Bucket.fromBucketName(scope, 'Logs', 'logs');

  test('refuses a scan limit under Athena\'s 10 MB minimum', () => {
    const scope = stack();
    expect(() => new QueryWorkgroup(scope, 'Q', { workgroupName: 'w', bytesScannedCutoffPerQuery: 1024, accessLogBucket: logs(scope) })).toThrow(/at least 10485760/);
  });

  test('grantQuery: the query actions on this workgroup, the results prefix, the results key through S3, no wildcard action', () => {
    const scope = stack();
    const workgroup = new QueryWorkgroup(scope, 'Q', { workgroupName: 'analysts', bytesScannedCutoffPerQuery: 10 * 1024 ** 2, accessLogBucket: logs(scope) });
    const analyst = new iam.Role(scope, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    workgroup.grantQuery(analyst);
    const statements = Object.values(Template.fromStack(scope).findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as Resource & { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
    expect(statements.map((statement) => flatten(statement.Resource))).toEqual([
      expect.stringMatching(/^arn:aws:athena:us-west-2:<Ref:AWS::AccountId>:workgroup\/<Ref:QWorkGroup[0-9A-F]{8}>$/),
      expect.stringMatching(/^<GetAtt:QResults[0-9A-F]+\.Arn>\/results\/\*$/),
      expect.stringMatching(/^<GetAtt:QResults[0-9A-F]+\.Arn>$/),
      expect.stringMatching(/^<GetAtt:QResultsKey[0-9A-F]+\.Arn>$/),
    ]);
  });
});

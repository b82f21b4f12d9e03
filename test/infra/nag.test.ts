import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, App, Stack, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ENVIRONMENT_NAMES } from '../../lib/config/environments';
import { buildPlatform } from '../../lib/platform';
import { pipelineStages } from '../../lib/processing/pipeline-plans';
import { cdkJsonContext } from './cdk-context';

/** One violating construct of one rule, as the synthesis validation report lists it. */
interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly constructPath: string;
}

/** The parts of the cloud assembly's `validation-report.json` that the assertions read. */
interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

function platformApp(env: string): App {
  // Report violations in validation-report.json instead of throwing at the first error, so the
  // assertions see every finding, errors and warnings alike.
  const app = new App({ context: { ...cdkJsonContext(), env, '@aws-cdk/core:failSynthOnValidationErrors': false } });
  buildPlatform(app);
  return app;
}

/**
 * Synthesizes the app and returns every unacknowledged finding of the validation plugins that
 * ran at synthesis: cdk-nag, CloudFormation's built-in template validation, and construct
 * annotations (warnings and errors added by constructs, through the feature flag
 * `@aws-cdk/core:annotationsInValidationReport` in cdk.json).
 */
function synthFindings(app: App): Finding[] {
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        plugin: plugin.pluginName,
        rule: violation.ruleName,
        severity: violation.severity,
        constructPath: construct.constructPath,
      })),
    ),
  );
}

/** `cdk_nag` metadata that `writeSuppressionsToCloudFormation` puts on acknowledged resources. */
function acknowledgements(app: App): { stack: string; logicalId: string; id: string; reason: string }[] {
  const assembly = app.synth();
  return assembly.stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }>)
      .flatMap(([logicalId, resource]) =>
        (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((rule) => ({ stack: stack.stackName, logicalId, ...rule })),
      ),
  );
}

/**
 * An acknowledged finding ID as docs/infrastructure.md writes it: a bucket of the storage stack
 * that a policy of another stack names is read with `Fn::GetStackOutput`, which the finding ID
 * spells out as JSON; the docs write it `<C2c-<env>-Storage.OutputName>`, for every environment.
 * Each pipeline stage's job has its own prefix of the scratch bucket: the docs write it `<stage>`.
 */
function documentedForm(id: string): string {
  return id
    .replace(/\{"Fn::GetStackOutput":\{"StackName":"([^"]+)","Region":"[^"]+","OutputName":"([^"]+)"\}\}/g, '<$1.$2>')
    .replace(new RegExp(`C2c-(${ENVIRONMENT_NAMES.join('|')})-`, 'g'), 'C2c-<env>-')
    .replace(/(<PlanRunnerScratch[0-9A-F]{8}\.Arn>)\/[a-z0-9-]+\/\*/g, '$1/<stage>/*');
}

describe.each(ENVIRONMENT_NAMES)('the %s app', (env) => {
  const app = platformApp(env);

  test('checks every stack of the platform', () => {
    expect(app.synth().stacks.map((stack) => stack.stackName).sort()).toEqual([`C2c-${env}-Ingestion`, `C2c-${env}-Processing`, `C2c-${env}-Storage`]);
  });

  test('synthesizes with no unacknowledged cdk-nag, template or annotation findings, errors or warnings', () => {
    expect(synthFindings(app)).toEqual([]);
  });

  test('acknowledges findings only with a written reason that docs/infrastructure.md lists', () => {
    const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'infrastructure.md'), 'utf8');
    for (const acknowledgement of acknowledgements(app)) {
      expect(acknowledgement.reason.length).toBeGreaterThan(40);
      expect(docs).toContain(documentedForm(acknowledgement.id));
    }
  });

  test('acknowledges exactly the findings docs/infrastructure.md explains, on the ingestion and processing stacks only', () => {
    const found = acknowledgements(app);
    expect(new Set(found.map((acknowledgement) => acknowledgement.stack))).toEqual(new Set([`C2c-${env}-Ingestion`, `C2c-${env}-Processing`]));
    expect([...new Set(found.map((acknowledgement) => documentedForm(acknowledgement.id)))].sort()).toEqual(
      [
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::<C2c-<env>-Storage.DataLakeLandingBucketC74929FDArn>/*]',
        'AwsSolutions-IAM5[Resource::<C2c-<env>-Storage.DataLakeQuarantineBucketA74DB3D9Arn>/*]',
        'AwsSolutions-IAM5[Resource::<C2c-<env>-Storage.DataLakeRawBucketA2BA7F91Arn>/*]',
        'AwsSolutions-IAM5[Resource::<C2c-<env>-Storage.DataLakeIdentityBucketC5B986E0Arn>/*]',
        'AwsSolutions-IAM5[Resource::<C2c-<env>-Storage.DataLakeLinkedBucket3E168E6DArn>/*]',
        'AwsSolutions-IAM5[Resource::<C2c-<env>-Storage.DataLakeOutcomesBucket57821F1EArn>/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-west-2:<AWS::AccountId>:log-group:/aws-glue/jobs/*]',
        'AwsSolutions-IAM5[Resource::<PlanRunnerScratch18F6D0E9.Arn>/<stage>/*]',
      ].sort(),
    );
    // Each stage's job acknowledges its own scratch prefix, and no other.
    const scratch = found.filter((acknowledgement) => acknowledgement.id.includes('PlanRunnerScratch')).map((acknowledgement) => acknowledgement.id);
    expect(scratch.sort()).toEqual(pipelineStages().map((stage) => `AwsSolutions-IAM5[Resource::<PlanRunnerScratch18F6D0E9.Arn>/${stage.name}/*]`).sort());
  });
});

describe('the compliance check', () => {
  test('reports errors and warnings of non-compliant resources added to the app, except acknowledged ones', () => {
    const app = platformApp('dev');
    const canary = new Stack(app, 'Canary');
    const bareBucket = new s3.Bucket(canary, 'BareBucket');
    const reason = 'A canary acknowledgement, to show that acknowledged findings leave the report.';
    Validations.of(bareBucket).acknowledge({ id: 'AwsSolutions-S10', reason });
    new glue.CfnCrawler(canary, 'BareCrawler', {
      role: 'arn:aws:iam::123456789012:role/crawler',
      targets: { s3Targets: [{ path: 's3://example/' }] },
    });
    Annotations.of(canary).addWarningV2('c2c:canary', 'A construct warning is a finding too.');

    const findings = synthFindings(app);

    expect(findings).toEqual(
      expect.arrayContaining([
        { plugin: 'AwsSolutions', rule: 'AwsSolutions-S1', severity: 'error', constructPath: 'Canary/BareBucket/Resource' },
        { plugin: 'AwsSolutions', rule: 'AwsSolutions-GL1', severity: 'warning', constructPath: 'Canary/BareCrawler' },
        expect.objectContaining({ rule: expect.stringContaining('c2c:canary'), severity: 'warning', constructPath: 'Canary' }),
      ]),
    );
    expect(findings.filter((finding) => finding.rule === 'AwsSolutions-S10')).toEqual([]);
    expect(acknowledgements(app)).toContainEqual(
      expect.objectContaining({ stack: 'Canary', logicalId: expect.stringMatching(/^BareBucket/), id: 'AwsSolutions-S10', reason }),
    );
    // Everything reported comes from the canary: the platform's own stacks stay clean beside it.
    expect(findings.filter((finding) => !finding.constructPath.startsWith('Canary'))).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, App, Stack, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { allContracts } from '../../core/contracts/catalog';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../lib/config/environments';
import { buildPlatform } from '../../lib/platform';
import { pipelineStages } from '../../lib/processing/pipeline-plans';
import { cdkJsonContext } from './cdk-context';

/** The cdk-nag packs `applyComplianceChecks` adds, by the plugin name (and rule prefix) they report under. */
const PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5'];

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

/** A finding acknowledged on a construct, with its reason. */
interface Acknowledgement {
  readonly id: string;
  readonly constructPath: string;
  readonly reason: string;
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
 * ran at synthesis: the cdk-nag packs, CloudFormation's built-in template validation, and
 * construct annotations (warnings and errors added by constructs, through the feature flag
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

/** What the packs report when nothing is acknowledged: the app built with `acknowledge` doing nothing. */
function unacknowledgedFindings(env: string): Finding[] {
  const ignore = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  try {
    return synthFindings(platformApp(env));
  } finally {
    ignore.mockRestore();
  }
}

/** Every acknowledgement recorded on the app's constructs (`Validations.of(construct).acknowledge`). */
function acknowledgementsInTree(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>)
          // aws-cdk-lib's own constructs (a VPC, its flow log) acknowledge template-validation rules they
          // know to misfire; the app itself never acknowledges one (checked below).
          .filter(([qualifiedId]) => !qualifiedId.startsWith(CDK_TEMPLATE_VALIDATION))
          .map(([qualifiedId, reason]) => ({
            // aws-cdk-lib records IDs without a known plugin prefix as annotations; cdk-nag strips it too.
            id: qualifiedId.replace(/^annotation::/i, ''),
            constructPath: construct.node.path,
            reason,
          })),
      ),
  );
}

const CDK_TEMPLATE_VALIDATION = 'CloudFormation-Validate::';

test('the app acknowledges no template-validation finding itself', () => {
  const sources = readdirSync(join(__dirname, '..', '..', 'lib'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  expect(sources.filter((file) => readFileSync(join(__dirname, '..', '..', 'lib', file), 'utf8').includes(CDK_TEMPLATE_VALIDATION))).toEqual([]);
});

/** `cdk_nag` metadata that `writeSuppressionsToCloudFormation` puts on acknowledged resources. */
function acknowledgementsInTemplates(app: App): { stack: string; logicalId: string; id: string; reason: string }[] {
  const assembly = app.synth();
  return assembly.stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }>)
      .flatMap(([logicalId, resource]) =>
        (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((rule) => ({ stack: stack.stackName, logicalId, ...rule })),
      ),
  );
}

const STAGE_NAMES = pipelineStages().map((stage) => stage.name);
const PARTNERS = [...new Set(allContracts().map((contract) => contract.partner))].join('|');
const DATASETS = [...new Set(allContracts().map((contract) => contract.dataset))].join('|');

/**
 * A finding ID as docs/security.md writes it: a bucket of the storage stack that a policy of
 * another stack names is read with `Fn::GetStackOutput`, which the finding ID spells out as JSON;
 * the docs write it `<C2c-<env>-Storage.OutputName>`, for every environment, and a Glue database
 * `c2c_<env>_<zone>`. Each pipeline stage's job has its own prefix of the scratch bucket: the
 * docs write it `<stage>`.
 */
function documentedId(id: string): string {
  return id
    .replace(/\{"Fn::GetStackOutput":\{"StackName":"([^"]+)","Region":"[^"]+","OutputName":"([^"]+)"\}\}/g, '<$1.$2>')
    .replace(new RegExp(`C2c-(${ENVIRONMENT_NAMES.join('|')})-`, 'g'), 'C2c-<env>-')
    .replace(new RegExp(`c2c_(${ENVIRONMENT_NAMES.join('|')})_`, 'g'), 'c2c_<env>_')
    .replace(/(<PlanRunnerScratch[0-9A-F]{8}\.Arn>)\/[a-z0-9-]+\/\*/g, '$1/<stage>/*')
    // Each partner's role names its own folders: the docs write them `<partner>`, `<dataset>`.
    .replace(new RegExp(`>/(${PARTNERS})/(${DATASETS})/\\*`, 'g'), '>/<partner>/<dataset>/*')
    .replace(new RegExp(`>/(${DATASETS})/partner=(${PARTNERS})/`, 'g'), '>/<dataset>/partner=<partner>/')
    .replace(new RegExp(`>/(${PARTNERS})/\\*\\.report`, 'g'), '>/<partner>/*.report');
}

/** A construct path as docs/security.md writes it: `C2c-<env>-Processing/Stage-<stage>/RuntimePolicy`. */
function documentedPath(path: string): string {
  return path
    .replace(new RegExp(`^C2c-(${ENVIRONMENT_NAMES.join('|')})-`), 'C2c-<env>-')
    .replace(new RegExp(`/Stage-(${STAGE_NAMES.join('|')})/`), '/Stage-<stage>/')
    .replace(new RegExp(`/Partners/(${PARTNERS})/`), '/Partners/<partner>/');
}

/** A documented acknowledgement: rule, construct and environment, one line per combination. */
function key(id: string, constructPath: string, env: string): string {
  return `${id} on ${constructPath} (${env})`;
}

/**
 * The table of acknowledged findings in docs/security.md (its section "Acknowledged cdk-nag
 * findings"), as `key`s: each row names one or more rules, one or more constructs and the
 * environments, in backticks, then the reason.
 */
function documentedAcknowledgements(): Set<string> {
  const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
  const start = docs.indexOf('### Acknowledged cdk-nag findings');
  expect(start).toBeGreaterThan(0);
  const section = docs.slice(start, docs.indexOf('\n#', start + 1));
  const documented = new Set<string>();
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
    const codes = (cell: string | undefined): string[] => [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    const rules = codes(cells[0]).filter((rule) => PACKS.some((pack) => rule.startsWith(`${pack}-`)));
    if (cells.length !== 4 || rules.length === 0) continue;
    expect(cells[3].length).toBeGreaterThan(40);
    for (const rule of rules) {
      for (const constructPath of codes(cells[1])) {
        for (const env of codes(cells[2])) {
          documented.add(key(rule, constructPath, env));
        }
      }
    }
  }
  return documented;
}

describe.each(ENVIRONMENT_NAMES)('the %s app', (env: EnvironmentName) => {
  const app = platformApp(env);
  let raw: Finding[] | undefined;
  const rawFindings = (): Finding[] => (raw ??= unacknowledgedFindings(env));

  test('checks every stack of the platform with the three cdk-nag packs', () => {
    expect(app.synth().stacks.map((stack) => stack.stackName)).toEqual(
      expect.arrayContaining([`C2c-${env}-Storage`, `C2c-${env}-Ingestion`, `C2c-${env}-Processing`]),
    );
    // A pack that reports nothing might not have run: without the acknowledgements, each has findings.
    expect([...new Set(rawFindings().map((finding) => finding.plugin))]).toEqual(expect.arrayContaining(PACKS));
  });

  test('synthesizes with no unacknowledged cdk-nag, template or annotation findings, errors or warnings', () => {
    expect(synthFindings(app)).toEqual([]);
  });

  test('acknowledges only findings the packs really report, on the construct they concern or one of its parents', () => {
    const findings = rawFindings();
    const stale = acknowledgementsInTree(app).filter(
      (acknowledgement) =>
        !findings.some(
          (finding) =>
            finding.rule === acknowledgement.id &&
            (finding.constructPath === acknowledgement.constructPath || finding.constructPath.startsWith(`${acknowledgement.constructPath}/`)),
        ),
    );
    expect(stale).toEqual([]);
  });

  test('acknowledges exactly the findings docs/security.md lists, each with a written reason', () => {
    const acknowledged = acknowledgementsInTree(app);
    for (const acknowledgement of acknowledged) {
      expect(acknowledgement.reason.length).toBeGreaterThan(40);
    }
    const documented = [...documentedAcknowledgements()].filter((line) => line.endsWith(`(${env})`));
    expect([...new Set(acknowledged.map((found) => key(documentedId(found.id), documentedPath(found.constructPath), env)))].sort()).toEqual(
      documented.sort(),
    );
  });

  test('writes the acknowledgements into the templates, next to the resources they excuse', () => {
    const inTemplates = acknowledgementsInTemplates(app);
    for (const { id, reason } of acknowledgementsInTree(app)) {
      expect(inTemplates).toContainEqual(expect.objectContaining({ id, reason }));
    }
  });

  test('acknowledges each stage\'s scratch prefix on that stage\'s job only', () => {
    const scratch = acknowledgementsInTree(app).filter((acknowledgement) => acknowledgement.id.includes('PlanRunnerScratch'));
    expect(scratch.map((acknowledgement) => `${acknowledgement.constructPath} ${acknowledgement.id}`).sort()).toEqual(
      STAGE_NAMES.map(
        (stage) => `C2c-${env}-Processing/Stage-${stage}/ScratchPolicy AwsSolutions-IAM5[Resource::<PlanRunnerScratch18F6D0E9.Arn>/${stage}/*]`,
      ).sort(),
    );
  });
});

describe('the compliance check', () => {
  test('reports errors and warnings of non-compliant resources added to the app, except acknowledged ones', () => {
    const app = platformApp('dev');
    const canary = new Stack(app, 'Canary');
    const bareBucket = new s3.Bucket(canary, 'BareBucket');
    const reason = 'A canary acknowledgement, to show that acknowledged findings leave the report.';
    Validations.of(bareBucket).acknowledge({ id: 'AwsSolutions-S10', reason }, { id: 'HIPAA.Security-S3BucketSSLRequestsOnly', reason });
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
        { plugin: 'HIPAA.Security', rule: 'HIPAA.Security-S3BucketLoggingEnabled', severity: 'error', constructPath: 'Canary/BareBucket/Resource' },
        { plugin: 'NIST.800.53.R5', rule: 'NIST.800.53.R5-S3BucketSSLRequestsOnly', severity: 'error', constructPath: 'Canary/BareBucket/Resource' },
        expect.objectContaining({ rule: expect.stringContaining('c2c:canary'), severity: 'warning', constructPath: 'Canary' }),
      ]),
    );
    // An acknowledgement silences its own rule of its own pack, nothing more.
    expect(findings.filter((finding) => ['AwsSolutions-S10', 'HIPAA.Security-S3BucketSSLRequestsOnly'].includes(finding.rule))).toEqual([]);
    expect(acknowledgementsInTemplates(app)).toContainEqual(
      expect.objectContaining({ stack: 'Canary', logicalId: expect.stringMatching(/^BareBucket/), id: 'AwsSolutions-S10', reason }),
    );
    // Everything reported comes from the canary: the platform's own stacks stay clean beside it.
    expect(findings.filter((finding) => !finding.constructPath.startsWith('Canary'))).toEqual([]);
  });
});

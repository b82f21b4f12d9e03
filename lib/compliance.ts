import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Runs the cdk-nag rule packs on every stack of the app at synthesis. Findings land in the
 * cloud assembly's `validation-report.json`; errors fail `cdk synth`. Acknowledge a finding on
 * the construct it concerns with `Validations.of(construct).acknowledge({ id, reason })`
 * and list it in docs/infrastructure.md.
 */
export function applyComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(
    // Acknowledgements are also written into the templates' metadata, next to the resource they excuse.
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
}

import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { allContracts } from '../../core/contracts/catalog';
import { environmentConfig, ENVIRONMENT_NAMES } from '../../lib/config/environments';
import { PartnerRoles, type PartnerTrust } from '../../lib/ingestion/partner-roles';
import { DataLakeStorage } from '../../lib/storage/data-lake-storage';
import { cdkJsonContext } from './cdk-context';

const PARTNERS = [...new Set(allContracts().map((contract) => contract.partner))].sort();

function partnerRoles(trust: Record<string, PartnerTrust>): { stack: Stack; roles: PartnerRoles } {
  const stack = new Stack(new App({ context: cdkJsonContext() }), 'Partners', { env: { region: 'us-west-2' } });
  const storage = new DataLakeStorage(stack, 'Lake', { namePrefix: 'c2c-test' });
  return { stack, roles: new PartnerRoles(stack, 'Partners', { namePrefix: 'c2c-test', storage, trust }) };
}

const inThisAccount = (partner: string): PartnerTrust => ({ account: undefined, externalId: `c2c-test-${partner}` });
const everyPartner = (trust: (partner: string) => PartnerTrust = inThisAccount): Record<string, PartnerTrust> =>
  Object.fromEntries(PARTNERS.map((partner) => [partner, trust(partner)]));

describe('PartnerRoles', () => {
  test('trusts the partner\'s own account, with its external ID, for an hour at a time', () => {
    const { stack } = partnerRoles({ ...everyPartner(), cde: { account: '444455556666', externalId: 'cde-c2c-7f3a' } });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'c2c-test-partner-cde',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::444455556666:root' },
            Condition: { StringEquals: { 'sts:ExternalId': 'cde-c2c-7f3a' } },
          },
        ],
      },
    });
  });

  test('must be told who may assume the role of every partner of the contracts, and of no one else', () => {
    const withoutCde = Object.fromEntries(Object.entries(everyPartner()).filter(([partner]) => partner !== 'cde'));
    expect(() => partnerRoles(withoutCde)).toThrow(/exactly the partners of the contracts: missing cde$/);
    expect(() => partnerRoles({ ...everyPartner(), acme: inThisAccount('acme') })).toThrow(/no contract for acme/);
  });

  test('refuses an account that is not 12 digits, and an external ID STS would refuse', () => {
    expect(() => partnerRoles({ ...everyPartner(), uc: { account: '4444-5555-6666', externalId: 'uc-c2c' } })).toThrow(/Partner uc: account must be 12 digits/);
    expect(() => partnerRoles({ ...everyPartner(), uc: { account: undefined, externalId: 'x' } })).toThrow(/Partner uc: externalId must be 2 to 1224/);
    expect(() => partnerRoles({ ...everyPartner(), uc: { account: undefined, externalId: 'uc c2c' } })).toThrow(/Partner uc: externalId/);
  });

  test.each(ENVIRONMENT_NAMES)('%s names every partner of the contracts, each with an external ID of its own', (env) => {
    const trust = environmentConfig(env, {}).ingestion.partnerTrust;
    expect(Object.keys(trust).sort()).toEqual(PARTNERS);
    expect(new Set(Object.values(trust).map((partner) => partner.externalId)).size).toBe(PARTNERS.length);
  });
});

import { decide, wildcardMatch, type AccessRequest, type Policies, type PolicyDocument, type Statement } from './iam-evaluator';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const BUCKET = 'arn:aws:s3:::lake-raw';
const KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/raw`;

function request(action: string, resource: string, context: AccessRequest['context'] = {}, principal = ROLE): AccessRequest {
  return { principal: { arn: principal, account: principal.split(':')[4] as string }, action, resource, context };
}

function policy(...statements: Statement[]): PolicyDocument {
  return { Statement: statements };
}

const allow = (action: string | string[], resource: string | string[], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const deny = (action: string | string[], resource: string | string[], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Deny', Action: action, Resource: resource, ...extra });
const bucket = (identity: PolicyDocument[], resource?: PolicyDocument): Policies => ({ identity, resource, resourceKind: 'bucket' });

describe('decide', () => {
  test('an explicit deny anywhere wins over any allow', () => {
    const get = request('s3:GetObject', `${BUCKET}/a.parquet`);
    expect(decide(get, bucket([policy(allow('s3:GetObject', `${BUCKET}/*`), deny('s3:*', '*'))]))).toBe('explicitly denied');
    expect(decide(get, bucket([policy(allow('s3:GetObject', `${BUCKET}/*`))], policy(deny('s3:*', `${BUCKET}/*`, { Principal: '*' }))))).toBe('explicitly denied');
    // A deny naming the account applies to every principal of it.
    expect(decide(get, bucket([policy(allow('s3:GetObject', `${BUCKET}/*`))], policy(deny('s3:GetObject', `${BUCKET}/*`, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }))))).toBe(
      'explicitly denied',
    );
  });

  test('S3: an identity policy allows, or a bucket policy that names the principal itself; a bucket policy naming the account needs IAM too', () => {
    const get = request('s3:GetObject', `${BUCKET}/a.parquet`);
    expect(decide(get, bucket([policy(allow('s3:GetObject', `${BUCKET}/*`))]))).toBe('allowed');
    expect(decide(get, bucket([], policy(allow('s3:GetObject', `${BUCKET}/*`, { Principal: { AWS: ROLE } }))))).toBe('allowed');
    expect(decide(get, bucket([], policy(allow('s3:GetObject', `${BUCKET}/*`, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }))))).toBe('implicitly denied');
    expect(decide(get, bucket([], policy(allow('s3:GetObject', `${BUCKET}/*`, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/other` } }))))).toBe('implicitly denied');
    expect(decide(get, bucket([]))).toBe('implicitly denied');
  });

  test('KMS: IAM alone never opens a key; the key policy must name the principal, or its account and IAM must allow', () => {
    const decrypt = request('kms:Decrypt', KEY, { 'aws:PrincipalArn': ROLE });
    const identity = [policy(allow('kms:Decrypt', KEY))];
    const key = (...statements: Statement[]): Policies => ({ identity, resource: policy(...statements), resourceKind: 'key' });
    const account = { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } };
    expect(decide(decrypt, { identity, resourceKind: 'key' })).toBe('implicitly denied');
    expect(decide(decrypt, key(allow('kms:Decrypt', '*', account)))).toBe('allowed');
    expect(decide(decrypt, { ...key(allow('kms:Decrypt', '*', account)), identity: [] })).toBe('implicitly denied');
    expect(decide(decrypt, { ...key(allow('kms:Decrypt', '*', { Principal: { AWS: ROLE } })), identity: [] })).toBe('allowed');
    expect(decide(decrypt, key(allow('kms:Decrypt', '*', { ...account, Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/other` } } })))).toBe('implicitly denied');
    expect(decide(decrypt, key(allow('kms:Decrypt', '*', { ...account, Condition: { ArnEquals: { 'aws:PrincipalArn': ROLE } } })))).toBe('allowed');
  });

  test('trust policies: a principal of another account is let in by the trust policy alone, with its conditions', () => {
    const steward = 'arn:aws:iam::444455556666:role/steward';
    const trust = (statement: Statement): Policies => ({ identity: [], resource: policy(statement), resourceKind: 'trust' });
    const byAccount: Statement = { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Condition: { StringEquals: { 'sts:ExternalId': 'x-1' } } };
    expect(decide(request('sts:AssumeRole', ROLE, { 'sts:ExternalId': 'x-1' }, steward), trust(byAccount))).toBe('allowed');
    expect(decide(request('sts:AssumeRole', ROLE, { 'sts:ExternalId': 'x-2' }, steward), trust(byAccount))).toBe('implicitly denied');
    expect(decide(request('sts:AssumeRole', ROLE, { 'sts:ExternalId': 'x-1' }, 'arn:aws:iam::777788889999:role/steward'), trust(byAccount))).toBe('implicitly denied');
    expect(decide(request('sts:AssumeRole', ROLE, {}, steward), trust({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'glue.amazonaws.com' } }))).toBe('implicitly denied');
  });

  test('actions match without regard to case, with wildcards; NotAction and NotResource match everything else', () => {
    const only = (statement: Statement, action: string, resource = `${BUCKET}/a`): string => decide(request(action, resource), bucket([policy(statement)]));
    expect(only(allow('s3:Get*', '*'), 's3:GetObject')).toBe('allowed');
    expect(only(allow('S3:getobject', '*'), 's3:GetObject')).toBe('allowed');
    expect(only(allow('s3:Get*', '*'), 's3:PutObject')).toBe('implicitly denied');
    expect(only(allow('s3:GetObject?', '*'), 's3:GetObject')).toBe('implicitly denied');
    expect(only({ Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' }, 's3:PutObject')).toBe('allowed');
    expect(only({ Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' }, 's3:DeleteObjectVersion')).toBe('implicitly denied');
    expect(only({ Effect: 'Allow', Action: 's3:GetObject', NotResource: `${BUCKET}/secret/*` }, 's3:GetObject', `${BUCKET}/secret/a`)).toBe('implicitly denied');
  });

  test('resources match with * across slashes, ? for one character, and nothing else special', () => {
    const get = (pattern: string, key: string): string => decide(request('s3:GetObject', `${BUCKET}/${key}`), bucket([policy(allow('s3:GetObject', `${BUCKET}/${pattern}`))]));
    expect(get('cde/*', 'cde/k12/file.txt')).toBe('allowed');
    expect(get('cde/*', 'cdex/k12/file.txt')).toBe('implicitly denied');
    expect(get('k12/partner=cde/*.report.json', 'k12/partner=cde/ingest_date=2025-06-01/f.abc.report.json')).toBe('allowed');
    expect(get('k12/partner=cde/*.report.json', 'k12/partner=cde/ingest_date=2025-06-01/f.abc.parquet')).toBe('implicitly denied');
    expect(get('k12/partner=cde/*.report.json', 'k12/partner=cde/f.report.jsonx')).toBe('implicitly denied');
    expect(get('a?c', 'abc')).toBe('allowed');
    expect(get('a.c', 'abc')).toBe('implicitly denied');
    expect(decide(request('s3:GetObject', 'arn:aws:s3:::lake-raw2/a'), bucket([policy(allow('s3:GetObject', `${BUCKET}*`))]))).toBe('allowed');
    expect(decide(request('s3:GetObject', 'arn:aws:s3:::lake-raw2/a'), bucket([policy(allow('s3:GetObject', `${BUCKET}/*`))]))).toBe('implicitly denied');
    expect(wildcardMatch('a+b(c)[d]$', 'a+b(c)[d]$')).toBe(true);
  });

  test('conditions: every operator and key must hold, any of a key\'s values will do; keys are not case-sensitive', () => {
    const list = (context: AccessRequest['context'], condition: Statement['Condition']): string =>
      decide(request('s3:ListBucket', BUCKET, context), bucket([policy(allow('s3:ListBucket', BUCKET, { Condition: condition }))]));
    const prefixes = { StringLike: { 's3:prefix': ['cde/*', 'csu/*'] } };
    expect(list({ 's3:prefix': 'csu/x' }, prefixes)).toBe('allowed');
    expect(list({ 'S3:Prefix': 'cde/' }, prefixes)).toBe('allowed');
    expect(list({ 's3:prefix': 'uc/' }, prefixes)).toBe('implicitly denied');
    expect(list({}, prefixes)).toBe('implicitly denied');
    expect(list({ 's3:prefix': 'cde/', 's3:delimiter': '/' }, { ...prefixes, StringEquals: { 's3:delimiter': '|' } })).toBe('implicitly denied');
    expect(list({ 's3:prefix': 'cde/', 's3:delimiter': '/' }, { ...prefixes, StringEquals: { 's3:delimiter': '/' } })).toBe('allowed');
  });

  test('conditions: a missing key fails a condition, unless the operator is negated or IfExists; Null, Bool and numbers', () => {
    const holds = (context: AccessRequest['context'], condition: Statement['Condition']): boolean =>
      decide(request('s3:GetObject', `${BUCKET}/a`, context), bucket([policy(allow('s3:GetObject', '*', { Condition: condition }))])) === 'allowed';
    expect(holds({}, { StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } })).toBe(true);
    expect(holds({ 's3:x-amz-server-side-encryption': 'AES256' }, { StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } })).toBe(false);
    expect(holds({}, { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } })).toBe(true);
    expect(holds({ 'aws:PrincipalAccount': ACCOUNT }, { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } })).toBe(false);
    expect(holds({}, { Null: { 'aws:SourceVpc': 'true' } })).toBe(true);
    expect(holds({ 'aws:SourceVpc': 'vpc-1' }, { Null: { 'aws:SourceVpc': 'true' } })).toBe(false);
    expect(holds({ 'aws:SecureTransport': 'true' }, { Bool: { 'aws:SecureTransport': true } })).toBe(true);
    expect(holds({ 'aws:SecureTransport': 'false' }, { Bool: { 'aws:SecureTransport': 'true' } })).toBe(false);
    expect(holds({ 's3:TlsVersion': '1.1' }, { NumericLessThan: { 's3:TlsVersion': 1.2 } })).toBe(true);
    expect(holds({ 's3:TlsVersion': '1.3' }, { NumericLessThan: { 's3:TlsVersion': 1.2 } })).toBe(false);
    expect(holds({ 'aws:TagKeys': ['a', 'b'] }, { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b', 'c'] } })).toBe(true);
    expect(holds({ 'aws:TagKeys': ['a', 'd'] }, { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b', 'c'] } })).toBe(false);
    expect(holds({ 'aws:TagKeys': ['a', 'd'] }, { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['d'] } })).toBe(true);
    expect(holds({ 'aws:PrincipalArn': ROLE }, { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/read*' } })).toBe(true);
    expect(holds({ 'aws:PrincipalArn': ROLE }, { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/readers` } })).toBe(false);
  });

  test('refuses what it does not understand rather than deciding on it', () => {
    const get = request('s3:GetObject', `${BUCKET}/a`);
    expect(() => decide(get, bucket([policy(allow('s3:GetObject', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01' } } }))]))).toThrow(/unsupported condition operator/);
    expect(() => decide(get, bucket([policy(allow('s3:GetObject', '*', { Condition: { StringLike: { 's3:prefix': '${aws:username}/*' } } }))]))).toThrow(/policy variables/);
    expect(() => decide(get, bucket([], policy({ Effect: 'Allow', NotPrincipal: { AWS: ROLE }, Action: 's3:GetObject', Resource: '*' })))).toThrow(/NotPrincipal/);
    expect(() => decide(get, bucket([policy(allow('s3:GetObject', '*', { Principal: '*' }))]))).toThrow(/identity policy statement has a principal/);
  });
});

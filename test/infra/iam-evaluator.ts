/**
 * A small evaluator of AWS IAM policies, for the tests that prove who may do what in the
 * synthesized templates (access.test.ts). It follows the documented evaluation logic for requests
 * within one account ("Policy evaluation logic" and "Determining whether a request is allowed or
 * denied within an account" in the IAM user guide; "Key policies" in the KMS developer guide):
 *
 * - an explicit Deny in any policy that applies wins;
 * - otherwise an S3 request (and any other but KMS) is allowed when an identity policy allows it,
 *   or the resource policy allows the principal itself;
 * - a KMS request is allowed only when the key policy allows the principal itself, or allows the
 *   principal's account and an identity policy allows it too: IAM alone never opens a key;
 * - a role's trust policy is a resource policy of `sts:AssumeRole`; for a principal of another
 *   account only the trust policy is ours to evaluate.
 *
 * It knows Action/NotAction, Resource/NotResource, Principal (`*`, accounts, role ARNs, services),
 * and the condition operators the app uses, with `...IfExists`, `ForAnyValue:` and `ForAllValues:`.
 * Anything else (NotPrincipal, policy variables, an unknown operator) throws, so that a test can
 * never pass on a policy the evaluator did not understand.
 */

export type PolicyValue = string | number | boolean;

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, PolicyValue | readonly PolicyValue[]>>>>;
}

export interface PolicyDocument {
  readonly Statement: readonly Statement[];
}

/** Who asks: a role of the account (its ARN, `arn:aws:iam::<account>:role/<name>`), or any principal of an account. */
export interface RequestPrincipal {
  readonly arn: string;
  readonly account: string;
  /** For requests that AWS services make under their own principal, e.g. `logging.s3.amazonaws.com`. */
  readonly service?: string;
}

export interface AccessRequest {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  /** Condition keys (case-insensitive) and their values. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision = 'allowed' | 'explicitly denied' | 'implicitly denied';

export interface Policies {
  readonly identity: readonly PolicyDocument[];
  /** A bucket policy, key policy or trust policy. */
  readonly resource?: PolicyDocument;
  /**
   * How the resource policy counts: `bucket` (S3 and most services), `key` (KMS: the key policy
   * must allow), `trust` (sts:AssumeRole by a principal of another account: the trust policy alone).
   */
  readonly resourceKind: 'bucket' | 'key' | 'trust';
}

/** The decision AWS would take on the request, given the policies that apply to it. */
export function decide(request: AccessRequest, policies: Policies): Decision {
  const identity = policies.identity.flatMap((document) => document.Statement).filter((s) => appliesToIdentity(s, request));
  const resource = (policies.resource?.Statement ?? [])
    .map((statement) => ({ statement, principal: principalMatch(statement, request.principal) }))
    .filter(({ statement, principal }) => principal !== 'none' && matchesRequest(statement, request));
  if ([...identity, ...resource.map((r) => r.statement)].some((s) => s.Effect === 'Deny')) return 'explicitly denied';

  const identityAllows = identity.some((s) => s.Effect === 'Allow');
  const resourceAllows = (kind: 'direct' | 'account'): boolean => resource.some((r) => r.statement.Effect === 'Allow' && r.principal === kind);
  switch (policies.resourceKind) {
    case 'bucket':
      return identityAllows || resourceAllows('direct') ? 'allowed' : 'implicitly denied';
    case 'key':
      return resourceAllows('direct') || (resourceAllows('account') && identityAllows) ? 'allowed' : 'implicitly denied';
    case 'trust':
      return resourceAllows('direct') || resourceAllows('account') ? 'allowed' : 'implicitly denied';
  }
}

function appliesToIdentity(statement: Statement, request: AccessRequest): boolean {
  if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) {
    throw new Error(`an identity policy statement has a principal: ${JSON.stringify(statement)}`);
  }
  return matchesRequest(statement, request);
}

function matchesRequest(statement: Statement, request: AccessRequest): boolean {
  return actionMatches(statement, request.action) && resourceMatches(statement, request.resource) && conditionsHold(statement, request.context);
}

/** `direct`: the statement names the principal (or everyone); `account`: it names the principal's account, which delegates to IAM. */
function principalMatch(statement: Statement, principal: RequestPrincipal): 'direct' | 'account' | 'none' {
  if (statement.NotPrincipal !== undefined) throw new Error('NotPrincipal is not supported');
  const named = statement.Principal;
  if (named === undefined) throw new Error(`a resource policy statement names no principal: ${JSON.stringify(statement)}`);
  if (named === '*') return 'direct';
  let match: 'direct' | 'account' | 'none' = 'none';
  for (const [kind, values] of Object.entries(named)) {
    for (const value of list(values)) {
      if (kind === 'Service') {
        if (principal.service === value) return 'direct';
      } else if (kind === 'AWS') {
        if (value === '*' || value === principal.arn) return 'direct';
        if (value === principal.account || value === `arn:aws:iam::${principal.account}:root`) match = 'account';
      } else if (kind !== 'Federated' && kind !== 'CanonicalUser') {
        throw new Error(`unknown principal kind ${kind}`);
      }
    }
  }
  return match;
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.Action !== undefined) return list(statement.Action).some((pattern) => wildcardMatch(pattern.toLowerCase(), action.toLowerCase()));
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((pattern) => wildcardMatch(pattern.toLowerCase(), action.toLowerCase()));
  throw new Error(`a statement has neither Action nor NotAction: ${JSON.stringify(statement)}`);
}

function resourceMatches(statement: Statement, resource: string): boolean {
  if (statement.Resource !== undefined) return list(statement.Resource).some((pattern) => arnMatch(pattern, resource));
  if (statement.NotResource !== undefined) return !list(statement.NotResource).some((pattern) => arnMatch(pattern, resource));
  // Trust policies name no resource: the role is the resource.
  return true;
}

type Operator = (policy: string, context: string) => boolean;

const OPERATORS: Record<string, { readonly test: Operator; readonly negated: boolean }> = {
  StringEquals: { test: (p, c) => p === c, negated: false },
  StringNotEquals: { test: (p, c) => p === c, negated: true },
  StringEqualsIgnoreCase: { test: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: true },
  StringLike: { test: (p, c) => wildcardMatch(p, c), negated: false },
  StringNotLike: { test: (p, c) => wildcardMatch(p, c), negated: true },
  ArnEquals: { test: arnMatch, negated: false },
  ArnLike: { test: arnMatch, negated: false },
  ArnNotEquals: { test: arnMatch, negated: true },
  ArnNotLike: { test: arnMatch, negated: true },
  Bool: { test: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
  NumericEquals: { test: (p, c) => Number(c) === Number(p), negated: false },
  NumericNotEquals: { test: (p, c) => Number(c) === Number(p), negated: true },
  NumericLessThan: { test: (p, c) => Number(c) < Number(p), negated: false },
  NumericLessThanEquals: { test: (p, c) => Number(c) <= Number(p), negated: false },
  NumericGreaterThan: { test: (p, c) => Number(c) > Number(p), negated: false },
  NumericGreaterThanEquals: { test: (p, c) => Number(c) >= Number(p), negated: false },
};

/** Every operator holds (AND), each for every key (AND), each key for any of its values (OR). */
function conditionsHold(statement: Statement, context: AccessRequest['context']): boolean {
  const byKey = new Map(Object.entries(context).map(([key, value]) => [key.toLowerCase(), list(value)]));
  return Object.entries(statement.Condition ?? {}).every(([qualifiedOperator, keys]) =>
    Object.entries(keys).every(([key, policyValues]) => conditionHolds(qualifiedOperator, list(policyValues).map(String), byKey.get(key.toLowerCase()))),
  );
}

function conditionHolds(qualifiedOperator: string, policyValues: readonly string[], contextValues: readonly string[] | undefined): boolean {
  for (const value of policyValues) if (value.includes('${')) throw new Error(`policy variables are not supported: ${value}`);
  const [set, name] = qualifiedOperator.includes(':') ? (qualifiedOperator.split(':') as [string, string]) : [undefined, qualifiedOperator];
  if (name === 'Null') {
    // "true": the key must be absent; "false": present.
    return policyValues.some((value) => (value.toLowerCase() === 'true') === (contextValues === undefined));
  }
  const ifExists = name.endsWith('IfExists');
  const operator = OPERATORS[ifExists ? name.slice(0, -'IfExists'.length) : name];
  if (!operator || (set !== undefined && set !== 'ForAnyValue' && set !== 'ForAllValues')) throw new Error(`unsupported condition operator ${qualifiedOperator}`);
  if (contextValues === undefined || contextValues.length === 0) {
    // A missing key fails a condition, unless the operator is negated, ...IfExists, or ForAllValues (vacuously true).
    return ifExists || operator.negated || set === 'ForAllValues';
  }
  const holdsFor = (contextValue: string): boolean => {
    const matched = policyValues.some((policyValue) => operator.test(policyValue, contextValue));
    return operator.negated ? !matched : matched;
  };
  return set === 'ForAllValues' ? contextValues.every(holdsFor) : contextValues.some(holdsFor);
}

/** IAM's wildcards: `*` any run of characters (slashes and colons too), `?` any one character. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}

/**
 * ARNs match component by component (partition, service, region, account, resource), each with
 * wildcards; `*` alone matches every resource.
 */
function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const parts = (text: string): string[] | undefined => {
    const fields = text.split(':');
    return fields.length < 6 || fields[0] !== 'arn' ? undefined : [...fields.slice(1, 5), fields.slice(5).join(':')];
  };
  const [p, a] = [parts(pattern), parts(arn)];
  if (!p || !a) return wildcardMatch(pattern, arn);
  return p.every((field, i) => wildcardMatch(field, a[i] as string));
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

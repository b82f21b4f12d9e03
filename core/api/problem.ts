/**
 * Errors as RFC 9457 problem documents: every 4xx names the parameter at fault, and no problem
 * echoes more of the request than the parameter's name and the rule it broke.
 */

export interface ParameterError {
  /** `metric`, `years`, `filter`, `filters.region`, `body`, ... */
  readonly parameter: string;
  readonly detail: string;
}

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly ParameterError[];
}

export const PROBLEM_TYPES = {
  400: ['/problems/invalid-parameter', 'Invalid parameter'],
  404: ['/problems/not-found', 'Not found'],
  405: ['/problems/method-not-allowed', 'Method not allowed'],
  406: ['/problems/not-acceptable', 'Not acceptable'],
  413: ['/problems/payload-too-large', 'Request body too large'],
  415: ['/problems/unsupported-media-type', 'Unsupported media type'],
  500: ['/problems/internal-error', 'Internal error'],
  503: ['/problems/engine-unavailable', 'Service unavailable'],
} as const;
export type ProblemStatus = keyof typeof PROBLEM_TYPES;

export class ApiProblem extends Error {
  public override readonly name = 'ApiProblem';
  constructor(public readonly status: ProblemStatus, detail: string, public readonly errors: readonly ParameterError[] = []) {
    super(detail);
  }

  /** A 400 about one parameter. */
  static invalid(parameter: string, detail: string): ApiProblem {
    return new ApiProblem(400, `${parameter}: ${detail}`, [{ parameter, detail }]);
  }

  document(): ProblemDocument {
    const [type, title] = PROBLEM_TYPES[this.status];
    return { type, title, status: this.status, detail: this.message, ...(this.errors.length > 0 ? { errors: this.errors } : {}) };
  }
}

/** A list for an error message, cut short when long. */
export function listed(values: readonly (string | number)[], max = 12): string {
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown}, ... (${values.length} in all)` : shown;
}

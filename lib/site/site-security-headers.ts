import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { siteContentSecurityPolicy } from '../../web/content-security-policy';

export interface SiteSecurityHeadersProps {
  /** Names the policy, e.g. `c2c-dev-site-security-headers`. */
  readonly name: string;
  /** Origins the page may `fetch` besides its own: the Query API's, when it lives on another origin. */
  readonly apiOrigins: readonly string[];
}

/** How long browsers keep to HTTPS for the site once they have seen it (two years, as the HSTS preload list asks). */
export const HSTS_MAX_AGE = Duration.days(730);

/**
 * The response headers CloudFront adds to every answer of the site, replacing any the origin
 * sent: HSTS, the web app's Content-Security-Policy (web/content-security-policy.ts, the one
 * `c2c serve` sends) with the API's origin in `connect-src`, `nosniff`, no framing, no referrer,
 * and no powerful browser features.
 */
export class SiteSecurityHeaders extends Construct {
  public readonly policy: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: SiteSecurityHeadersProps) {
    super(scope, id);
    this.policy = new cloudfront.ResponseHeadersPolicy(this, 'Policy', {
      responseHeadersPolicyName: props.name,
      comment: 'The dashboards: HSTS, CSP, nosniff, no framing, no referrer.',
      securityHeadersBehavior: {
        // Not preloaded: whether the whole domain commits to HTTPS is its owner's decision.
        strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: siteContentSecurityPolicy(props.apiOrigins), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The page's URL holds the reader's choices; the API needs no Referer.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          // The app uses no device or payment feature; nothing it loads may ask for one.
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()', override: true },
        ],
      },
    });
  }
}

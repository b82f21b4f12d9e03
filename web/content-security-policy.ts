/**
 * The web app's Content-Security-Policy, wherever it is served: by `c2c serve`
 * (adapters/api/local-server.ts) and by CloudFront (lib/site/site-security-headers.ts).
 *
 * What the app needs and nothing more: its own scripts, styles and images (no inline script or
 * style: the charts use SVG attributes and classes, the tooltip is placed through the CSSOM, which
 * CSP allows), no plugins, no forms, no framing, and `fetch` to its own origin, plus the Query
 * API's origin when the API lives on another one.
 */
export function siteContentSecurityPolicy(apiOrigins: readonly string[] = []): string {
  const directives = [
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    // default-src already allows 'self'; an API on another origin must be named.
    ...(apiOrigins.length > 0 ? [`connect-src 'self' ${apiOrigins.join(' ')}`] : []),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ];
  return directives.join('; ');
}

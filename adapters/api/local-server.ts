/**
 * The Query API on loopback (`c2c serve`): the same handler as the Lambda behind node:http, plus
 * the OpenAPI document, a rendered API reference (Swagger UI, served from the package, no CDN)
 * and, when given, the web app (dashboards and query builder) at `/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { OPENAPI_DOCUMENT } from '../../core/api/document';
import { MAX_BODY_BYTES, type ApiHandler, type ApiResponse } from '../../core/api/handler';
import { siteContentSecurityPolicy } from '../../web/content-security-policy';

export interface ApiServerOptions {
  readonly handler: ApiHandler;
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1: the local server is for the machine it runs on. */
  readonly host?: string;
  /** The web app's files by URL path (`/` its page), built by web/build.ts; without it `/` leads to the reference. */
  readonly site?: ReadonlyMap<string, { readonly type: string; readonly body: Buffer }>;
}

export interface RunningApiServer {
  readonly url: string;
  close(): Promise<void>;
}

const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

/** The web app's own policy: stricter than Swagger UI's, it needs no inline style and posts no form; the API is on the same origin. */
const SITE_CSP = siteContentSecurityPolicy();

const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${OPENAPI_DOCUMENT.info.title}: API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
const REFERENCE_INIT = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true });\n";

/** Serialized once, not on every request: the document does not change while the server runs. */
const OPENAPI_JSON = Buffer.from(JSON.stringify(OPENAPI_DOCUMENT), 'utf8');

/** Static answers, by path: the document, the reference page and its assets. */
const STATIC: Readonly<Record<string, () => Promise<{ type: string; body: string | Buffer }>>> = {
  '/openapi.json': async () => ({ type: 'application/json; charset=utf-8', body: OPENAPI_JSON }),
  '/docs': async () => ({ type: 'text/html; charset=utf-8', body: REFERENCE_PAGE }),
  '/docs/init.js': async () => ({ type: 'text/javascript; charset=utf-8', body: REFERENCE_INIT }),
  '/docs/swagger-ui.css': async () => ({ type: 'text/css; charset=utf-8', body: await readFile(path.join(SWAGGER_UI, 'swagger-ui.css')) }),
  '/docs/swagger-ui-bundle.js': async () => ({ type: 'text/javascript; charset=utf-8', body: await readFile(path.join(SWAGGER_UI, 'swagger-ui-bundle.js')) }),
};

/** The body, up to one byte past the limit (enough for the handler to answer 413). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return size === 0 ? undefined : Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1).toString('utf8');
}

/**
 * The handler's answers encoded as UTF-8, by answer. A cached answer is the same object on every
 * hit, so its body is encoded once rather than on each request: encoding a 90 KB answer on every
 * write took most of the server's time per cache hit (bench/api.ts).
 */
const encodedBodies = new WeakMap<ApiResponse, Buffer>();

function encodedBody(answer: ApiResponse): Buffer {
  let body = encodedBodies.get(answer);
  if (!body) {
    body = Buffer.from(answer.body, 'utf8');
    encodedBodies.set(answer, body);
  }
  return body;
}

function send(response: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string | Buffer): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

export function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const route = request.method === 'GET' ? STATIC[url.pathname] : undefined;
      if (route) {
        const { type, body } = await route();
        send(response, 200, { 'content-type': type, 'cache-control': 'no-cache' }, body);
        return;
      }
      const file = request.method === 'GET' ? options.site?.get(url.pathname) : undefined;
      if (file) {
        send(response, 200, { 'content-type': file.type, 'cache-control': 'no-cache', 'content-security-policy': SITE_CSP }, file.body);
        return;
      }
      if (request.method === 'GET' && url.pathname === '/') {
        send(response, 302, { location: '/docs' }, '');
        return;
      }
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
      const answer: ApiResponse = await options.handler({ method: request.method ?? 'GET', path: url.pathname, query: url.search.slice(1), headers, body: await readBody(request) });
      send(response, answer.status, answer.headers, encodedBody(answer));
    })().catch((error: unknown) => {
      // The handler answers every error itself; this is a failure of the server around it.
      if (!response.headersSent) send(response, 500, { 'content-type': 'text/plain' }, 'internal error');
      console.error(error);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolve({
        url: `http://${host}:${port}`,
        close: () => new Promise<void>((done, fail) => {
          server.closeAllConnections();
          server.close((error) => (error ? fail(error) : done()));
        }),
      });
    });
  });
}

/**
 * Builds the web app with esbuild: web/src/main.ts and its imports into one minified app.js,
 * web/src/app.css into app.css, beside web/public/ (index.html, config.json). Nothing built is
 * committed: `c2c serve` builds into memory when it starts (a fraction of a second), and a
 * deployment writes the same files to a folder (`npm run build:web -- <dir>`) for a static host,
 * replacing config.json with the environment's API origin, as the CDK site stack does at
 * synthesis (lib/site/site-content.ts).
 *
 * Run directly: `tsx web/build.ts <out-dir>`.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

export interface WebFile {
  readonly type: string;
  readonly body: Buffer;
}

/** The app's files by URL path ('/' is index.html). */
export type WebApp = ReadonlyMap<string, WebFile>;

const WEB = __dirname;
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const typeOf = (file: string): string => TYPES[path.extname(file)] ?? 'application/octet-stream';

export async function buildWebApp(): Promise<WebApp> {
  const bundle = await build({
    entryPoints: [{ in: path.join(WEB, 'src', 'main.ts'), out: 'app' }, { in: path.join(WEB, 'src', 'app.css'), out: 'app' }],
    bundle: true,
    minify: true,
    format: 'esm',
    // Browsers of the last few years; the app uses nothing newer than ES2022.
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    outdir: '/',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = new Map<string, WebFile>();
  for (const output of bundle.outputFiles) {
    const name = path.basename(output.path);
    files.set(`/${name}`, { type: typeOf(name), body: Buffer.from(output.contents) });
  }
  for (const name of await readdir(path.join(WEB, 'public'))) {
    files.set(`/${name}`, { type: typeOf(name), body: await readFile(path.join(WEB, 'public', name)) });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}

/** Writes the built app to a folder, for a static host. */
export async function writeWebApp(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const [name, file] of await buildWebApp()) {
    if (name !== '/') await writeFile(path.join(outDir, name.slice(1)), file.body);
  }
}

if (require.main === module) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: tsx web/build.ts <out-dir>');
    process.exitCode = 2;
  } else {
    void writeWebApp(outDir).then(() => console.log(`web app written to ${outDir}`));
  }
}

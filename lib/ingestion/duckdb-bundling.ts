import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How a Node.js Lambda function that uses DuckDB (`@duckdb/node-api`) is bundled.
 *
 * esbuild cannot bundle DuckDB's native binding (`duckdb.node` plus `libduckdb.so`), and the
 * binding comes in one npm package per platform (`@duckdb/node-bindings-linux-arm64`, ...),
 * an optional dependency that npm picks at install time for the machine it runs on. So the
 * DuckDB packages stay out of the esbuild bundle (`externalModules`) and are installed into the
 * asset after bundling with npm's target-platform options (`--os=linux --cpu=arm64
 * --libc=glibc`, npm 10 or later): whatever machine synthesizes, the asset holds the Lambda's
 * binding and no other. A check then fails the bundling unless that binding is there, has the
 * version of `@duckdb/node-bindings`, and its ELF files are for the Lambda's architecture.
 *
 * The versions are those installed in the project (`node_modules`), so the function runs the
 * DuckDB that the tests and the CLI run. The CDK's own `nodeModules` option is not used: it runs
 * `npm ci` against the project's lock file, which pins only the bindings of the platforms the
 * lock was created on.
 */
export interface DuckDbBundlingProps {
  /** The project whose installed `@duckdb/node-api` sets the versions. */
  readonly projectRoot: string;
  /** The function's architecture: selects the binding package. */
  readonly architecture: lambda.Architecture;
}

/** Packages esbuild leaves out; they are installed into the asset instead. */
export const DUCKDB_EXTERNAL_MODULES = ['@duckdb/node-api', '@duckdb/node-bindings'] as const;

interface Target {
  /** npm's `--cpu` and the binding package's suffix. */
  readonly cpu: 'arm64' | 'x64';
  /** ELF `e_machine` of a binary for this architecture: 183 is AArch64, 62 is x86-64. */
  readonly elfMachine: number;
}

function targetOf(architecture: lambda.Architecture): Target {
  if (architecture.name === lambda.Architecture.ARM_64.name) {
    return { cpu: 'arm64', elfMachine: 183 };
  }
  if (architecture.name === lambda.Architecture.X86_64.name) {
    return { cpu: 'x64', elfMachine: 62 };
  }
  throw new Error(`No DuckDB binding for the Lambda architecture "${architecture.name}".`);
}

/**
 * The packages the asset gets, at the exact versions installed in the project. The binding of
 * the target platform is not among them: npm refuses a direct dependency on another platform's
 * package (EBADPLATFORM), but picks the target's binding among the optional dependencies of
 * `@duckdb/node-bindings`, which pins it to its own version, when told the target platform.
 */
export function duckDbPackages(projectRoot: string): Record<string, string> {
  const api = installedPackage('@duckdb/node-api', projectRoot);
  const bindings = installedPackage('@duckdb/node-bindings', dirname(api.file));
  const detectLibc = installedPackage('detect-libc', dirname(bindings.file));
  return {
    '@duckdb/node-api': api.version,
    '@duckdb/node-bindings': bindings.version,
    'detect-libc': detectLibc.version,
  };
}

/**
 * The bundling options for a DuckDB function; merge further options over them. Commands run
 * in bash on the synthesizing machine (or in the Lambda build image when Docker bundles).
 */
export function duckDbBundling(props: DuckDbBundlingProps): lambdaNodejs.BundlingOptions {
  const { cpu, elfMachine } = targetOf(props.architecture);
  const packages = duckDbPackages(props.projectRoot);
  const bindingPackage = `@duckdb/node-bindings-linux-${cpu}`;
  const bindingVersion = packages['@duckdb/node-bindings'];
  return {
    externalModules: [...DUCKDB_EXTERNAL_MODULES],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        // A package.json in the output directory keeps npm from walking up to the project's own.
        `printf '%s' ${shellQuote(JSON.stringify({ private: true, dependencies: packages }))} > ${shellQuote(`${outputDir}/package.json`)}`,
        [
          'npm install',
          `--prefix ${shellQuote(outputDir)}`,
          '--os=linux',
          `--cpu=${cpu}`,
          '--libc=glibc',
          '--omit=dev',
          '--no-package-lock',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
        ].join(' '),
        `node -e ${shellQuote(checkBindingScript(bindingPackage, bindingVersion, elfMachine))} ${shellQuote(outputDir)}`,
      ],
    },
  };
}

/**
 * A Node.js script (argument: the asset directory) that removes any other platform's DuckDB
 * binding and fails unless the target's binding has the version of `@duckdb/node-bindings` and
 * its `duckdb.node` and `libduckdb.so` are ELF files for the target architecture.
 */
function checkBindingScript(bindingPackage: string, version: string, elfMachine: number): string {
  return `
const fs = require("fs");
const path = require("path");
const modules = path.join(process.argv[1], "node_modules", "@duckdb");
const wanted = ${JSON.stringify(bindingPackage.replace('@duckdb/', ''))};
for (const name of fs.readdirSync(modules)) {
  if (name.startsWith("node-bindings-") && name !== wanted) {
    fs.rmSync(path.join(modules, name), { recursive: true, force: true });
  }
}
const manifest = path.join(modules, wanted, "package.json");
if (!fs.existsSync(manifest)) {
  throw new Error("npm did not install @duckdb/" + wanted + "@${version} into the asset: " +
    "is that version on the registry npm uses (npm view @duckdb/" + wanted + " versions)?");
}
const installed = JSON.parse(fs.readFileSync(manifest, "utf8")).version;
if (installed !== ${JSON.stringify(version)}) {
  throw new Error("@duckdb/" + wanted + " is " + installed + ", not ${version}");
}
for (const file of ["duckdb.node", "libduckdb.so"]) {
  const binary = path.join(modules, wanted, file);
  const header = Buffer.alloc(20);
  const fd = fs.openSync(binary, "r");
  fs.readSync(fd, header, 0, 20, 0);
  fs.closeSync(fd);
  const isElf = header.readUInt32BE(0) === 0x7f454c46;
  if (!isElf || header.readUInt16LE(18) !== ${elfMachine}) {
    throw new Error(binary + " is not an ELF binary for machine ${elfMachine}");
  }
}
`.trim();
}

function installedPackage(name: string, from: string): { version: string; file: string } {
  let file: string;
  try {
    file = require.resolve(`${name}/package.json`, { paths: [from] });
  } catch {
    throw new Error(`${name} is not installed under ${from}: run npm ci before synthesizing the DuckDB function.`);
  }
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
  return { version, file };
}

/** Single-quotes a word for bash. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

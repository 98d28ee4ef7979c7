#!/usr/bin/env node
// Renders deploy/nginx/templates into a directory nginx can run from (docs/ops.md "nginx and TLS").
//
//   node scripts/render-nginx.mjs --out DIR [--tls] [--upstream HOST:PORT[,HOST:PORT...]]
//   node scripts/render-nginx.mjs --print-variables
//
// envsubst-style with an explicit variable list: only ${NAME} for the names below is replaced (the
// same templates go through the nginx image's envsubst entrypoint in compose, filtered to
// ^SWITCHBOARD_NGINX_). Each variable comes from the environment, else its default below. A
// template naming any other ${SWITCHBOARD_NGINX_...} fails the render, and so does a value that
// could break out of its directive.
//
// Output: DIR/nginx.conf (run it with `nginx -p DIR -c DIR/nginx.conf -e DIR/logs/error.log`),
// DIR/switchboard-locations.conf, DIR/tls/ (tls.conf, redirect.inc: included only with --tls),
// DIR/dynamic/upstream.conf (from --upstream; kept if it exists and --upstream is absent), and the
// empty run/, logs/, acme/ and certs/ directories.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const templatesDir = path.join(root, 'deploy', 'nginx', 'templates');

const positiveInteger = (value) => /^[1-9][0-9]{0,9}$/.test(value);
const listen = (value) => /^([0-9.]+:|\[[0-9a-fA-F:]+\]:)?[1-9][0-9]{0,4}$/.test(value);
const filePath = (value) => /^[A-Za-z0-9_./-]+$/.test(value);

/** name -> [default for a render into `out`, validator, what it is] */
const variables = (out, tls) => ({
  SWITCHBOARD_NGINX_LISTEN: ['8080', listen, 'HTTP listen address ([ADDR:]PORT)'],
  SWITCHBOARD_NGINX_TLS_LISTEN: ['8443', listen, 'HTTPS listen address ([ADDR:]PORT), used with TLS on'],
  SWITCHBOARD_NGINX_API_RATE: ['30', positiveInteger, 'per-IP requests/s on /api/ (burst 60)'],
  SWITCHBOARD_NGINX_AUTH_RATE: ['5', positiveInteger, 'per-IP requests/s on /api/auth/ (burst 10)'],
  SWITCHBOARD_NGINX_MAX_BODY_BYTES: [process.env.SWITCHBOARD_MAX_BODY_BYTES || '10485760', positiveInteger, "client_max_body_size: the app's SWITCHBOARD_MAX_BODY_BYTES"],
  SWITCHBOARD_NGINX_CONF_DIR: [out, filePath, 'where nginx.conf and switchboard-locations.conf are'],
  SWITCHBOARD_NGINX_DYNAMIC_DIR: [path.join(out, 'dynamic'), filePath, 'the directory holding upstream.conf'],
  SWITCHBOARD_NGINX_TLS_DIR: [path.join(out, tls ? 'tls' : 'tls-off'), filePath, 'the included TLS directory (an empty or absent one turns TLS off)'],
  SWITCHBOARD_NGINX_CERT_DIR: [path.join(out, 'certs'), filePath, 'fullchain.pem and privkey.pem'],
  SWITCHBOARD_NGINX_ACME_ROOT: [path.join(out, 'acme'), filePath, 'web root of /.well-known/acme-challenge/'],
  SWITCHBOARD_NGINX_RUNTIME_DIR: [path.join(out, 'run'), filePath, 'pid file and temporary files'],
  SWITCHBOARD_NGINX_ACCESS_LOG: [path.join(out, 'logs', 'access.log'), filePath, 'JSON access log'],
  SWITCHBOARD_NGINX_ERROR_LOG: [path.join(out, 'logs', 'error.log'), filePath, 'error log'],
});

function fail(message) {
  console.error(`render-nginx: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { out: undefined, tls: false, upstreams: undefined, printVariables: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--out') options.out = argv[++i];
    else if (arg === '--tls') options.tls = true;
    else if (arg === '--upstream') options.upstreams = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg === '--print-variables') options.printVariables = true;
    else fail(`unknown argument ${arg} (usage: --out DIR [--tls] [--upstream HOST:PORT,...] | --print-variables)`);
  }
  return options;
}

function templates(dir, prefix = '') {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return templates(full, path.join(prefix, name));
    return name.endsWith('.template') ? [path.join(prefix, name)] : [];
  });
}

function writeAtomically(file, text) {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode: 0o644 });
  renameSync(temp, file); // the directory is what nginx's container mounts, so a rename is seen
}

const options = parseArgs(process.argv.slice(2));
if (options.printVariables) {
  for (const [name, [, , what]] of Object.entries(variables('DIR', false))) console.log(`${name}\t${what}`);
  process.exit(0);
}
if (!options.out) fail('--out DIR is required');
const out = path.resolve(options.out);
const spec = variables(out, options.tls);
const values = {};
for (const [name, [fallback, valid]] of Object.entries(spec)) {
  const value = process.env[name] ?? fallback;
  if (!valid(value)) fail(`${name}=${JSON.stringify(value)} is not valid here`);
  values[name] = value;
}

for (const dir of ['', 'dynamic', 'tls', 'run', 'logs', 'acme', 'certs']) mkdirSync(path.join(out, dir), { recursive: true });
for (const relative of templates(templatesDir)) {
  const text = readFileSync(path.join(templatesDir, relative), 'utf8').replace(/\$\{(SWITCHBOARD_NGINX_[A-Z_]+)\}/g, (match, name) => {
    if (!(name in values)) fail(`${relative} names \${${name}}, which is not in the variable list`);
    return values[name];
  });
  writeAtomically(path.join(out, relative.replace(/\.template$/, '')), text);
}

const upstreamFile = path.join(out, 'dynamic', 'upstream.conf');
if (options.upstreams) {
  if (options.upstreams.length === 0 || !options.upstreams.every((entry) => /^[A-Za-z0-9.-]+:[1-9][0-9]{0,4}$/.test(entry))) {
    fail('--upstream takes HOST:PORT[,HOST:PORT...]');
  }
  writeAtomically(upstreamFile, options.upstreams.map((entry) => `server ${entry} max_fails=0;\n`).join(''));
} else if (!existsSync(upstreamFile)) {
  fail(`${upstreamFile} does not exist: pass --upstream HOST:PORT[,HOST:PORT...]`);
}
console.log(out);

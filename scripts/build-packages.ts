// `npm run build:packages [-- <providerId> …]`: one n8n community package per provider, generated from
// this repository's sources, under .packages/ (git-ignored):
//   .packages/<name>/            the package: nodes/ and credentials/ sources reduced to one provider,
//                                package.json, README.md, LICENSE, n8n's template eslint.config.mjs,
//                                tsconfig.json, and dist/ compiled with tsc
//   .packages/<name>-<ver>.tgz   what `npm pack` makes of it (what `npm publish` would upload)
//   .packages/packages.json      the list, for scripts/check-packages.mjs, the e2e suite and CI
//
// What it relies on (nothing else of nodes/ is read or rewritten):
//   - nodes/KlingMotionControl/providers/index.ts has one import line per adapter,
//     `import { fal } from './fal';`, and `export const PROVIDERS = { aiHubMax, evoLink, fal, … }`
//     (optionally annotated, `as const` or `satisfies …`);
//   - each adapter has `id` and `credentialType`;
//   - credentials/<Name>.credentials.ts defines the class whose `name` is that credentialType.
// The registry is rewritten to the one provider; tsc then compiles from the node and that credential,
// and only the source files it reaches stay in the package. So a provider added to the registry gets
// its package with no change here, and the node's description must derive its Provider options from
// the registry: the build checks the compiled node offers exactly one provider and one credential.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

import { packageFields, projectUrls, readProject, ROOT } from './project-config';

const NODE_DIR = 'nodes/KlingMotionControl';
const NODE_FILE = `${NODE_DIR}/KlingMotionControl.node.ts`;
const CODEX_FILE = `${NODE_DIR}/KlingMotionControl.node.json`;
const REGISTRY = `${NODE_DIR}/providers/index.ts`;
const OUT = join(ROOT, '.packages');
const TEMPLATE_ESLINT = "import { config } from '@n8n/node-cli/eslint';\n\nexport default config;\n";

interface Adapter {
	key: string;
	id: string;
	displayName: string;
	credentialType: string;
}

export interface BuiltPackage {
	name: string;
	provider: string;
	providerName: string;
	credentialType: string;
	dir: string;
	tarball: string;
	/** From `npm pack --dry-run --json`. */
	files: Array<{ path: string; size: number }>;
	packedBytes: number;
	unpackedBytes: number;
}

// ---------------------------------------------------------------------------------------------------
// The registry

/** The object literal of `export const PROVIDERS … = { … }`, its keys, and the import line of each. */
export function parseRegistry(source: string) {
	const match = /export const PROVIDERS(\s*:\s*([^=]+?))?\s*=\s*\{([^}]*)\}(\s*as const)?(\s*satisfies\s+[^;]+)?;/.exec(source);
	if (!match) throw new Error(`${REGISTRY}: no \`export const PROVIDERS = { … };\` found`);
	const keys = match[3]
		.split(',')
		.map((entry) => entry.replace(/\/\/.*$/gm, '').trim())
		.filter(Boolean)
		.map((entry) => {
			const [key, value = key] = entry.split(':').map((part) => part.trim());
			if (key !== value) throw new Error(`${REGISTRY}: write the registry entry \`${entry}\` as the shorthand \`${value}\``);
			return key;
		});
	const imports = new Map<string, string>();
	for (const key of keys) {
		const line = new RegExp(`^import \\{ ${key} \\} from '\\./[\\w/.-]+';\\n`, 'm').exec(source);
		if (!line) throw new Error(`${REGISTRY}: no \`import { ${key} } from './…';\` line`);
		imports.set(key, line[0]);
	}
	return { statement: match[0], annotation: match[2]?.trim(), asConst: Boolean(match[4]), keys, imports };
}

/** The registry reduced to one adapter; an annotation such as `Record<ProviderId, …>` is kept by a cast. */
export function reduceRegistry(source: string, keep: string): string {
	const registry = parseRegistry(source);
	let out = source;
	for (const [key, line] of registry.imports) if (key !== keep) out = out.replace(line, '');
	const literal = `{\n\t${keep},\n}${registry.asConst ? ' as const' : ''}`;
	const value = registry.annotation ? `${literal} as unknown as ${registry.annotation}` : literal;
	const statement = `export const PROVIDERS${registry.annotation ? `: ${registry.annotation}` : ''} = ${value};`;
	return out.replace(registry.statement, statement);
}

function loadAdapters(): Adapter[] {
	const { keys } = parseRegistry(readFileSync(join(ROOT, REGISTRY), 'utf8'));
	const { PROVIDERS } = require(join(ROOT, REGISTRY)) as { PROVIDERS: Record<string, Omit<Adapter, 'key'>> };
	return keys.map((key) => {
		const adapter = PROVIDERS[key];
		if (!adapter?.id || !adapter.credentialType) throw new Error(`${REGISTRY}: adapter ${key} has no id or credentialType`);
		return { key, id: adapter.id, displayName: adapter.displayName ?? adapter.id, credentialType: adapter.credentialType };
	});
}

/** credentialType → credentials/<file>.credentials.ts, from each class's `name = '…'`. */
function credentialFiles(): Map<string, string> {
	const map = new Map<string, string>();
	for (const file of readdirSync(join(ROOT, 'credentials')).filter((f) => f.endsWith('.credentials.ts'))) {
		const name = /^\s*name\s*=\s*'([^']+)'/m.exec(readFileSync(join(ROOT, 'credentials', file), 'utf8'))?.[1];
		if (name) map.set(name, `credentials/${file}`);
	}
	return map;
}

// ---------------------------------------------------------------------------------------------------
// One package

function run(cmd: string, args: string[], cwd: string): string {
	return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function walk(dir: string): string[] {
	return readdirSync(dir).flatMap((entry) => {
		const path = join(dir, entry);
		return statSync(path).isDirectory() ? walk(path) : [path];
	});
}

function packageName(adapter: Adapter, prefix: string): string {
	return `${prefix}${adapter.id.toLowerCase()}`;
}

function tsconfig(entries: string[]) {
	const root = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
	const compilerOptions = { ...root.compilerOptions, rootDir: '.', outDir: 'dist', types: ['node'], sourceMap: false, incremental: false };
	return { compilerOptions, files: entries, include: [`${NODE_DIR}/*.node.json`] };
}

function buildOne(adapter: Adapter, credentialFile: string, rootPkg: Record<string, unknown>, allIds: string[]): BuiltPackage {
	const project = readProject();
	const urls = projectUrls(project);
	const name = packageName(adapter, project.singlePackagePrefix);
	const dir = join(OUT, name);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });

	// 1. The sources, with the registry reduced to this provider.
	for (const folder of ['nodes', 'credentials', 'icons']) cpSync(join(ROOT, folder), join(dir, folder), { recursive: true });
	for (const test of walk(dir).filter((f) => f.endsWith('.test.ts'))) rmSync(test);
	writeFileSync(join(dir, REGISTRY), reduceRegistry(readFileSync(join(ROOT, REGISTRY), 'utf8'), adapter.key));
	const codex = JSON.parse(readFileSync(join(dir, CODEX_FILE), 'utf8')) as Record<string, unknown>;
	codex.node = `${name}.${(codex.node as string).split('.').pop()}`;
	codex.resources = { primaryDocumentation: [{ url: urls.readme }], credentialDocumentation: [{ url: urls.providersDoc }] };
	// Search aliases: none naming another provider (the model's own name, Kling, stays).
	const others = new Set(
		allIds.filter((id) => id !== adapter.id && !(rootPkg.name as string).includes(id.toLowerCase())).map((id) => id.toLowerCase()),
	);
	codex.alias = [...new Set([...((codex.alias as string[]) ?? []).filter((alias) => !others.has(alias.toLowerCase())), adapter.displayName])];
	writeFileSync(join(dir, CODEX_FILE), JSON.stringify(codex, null, '\t') + '\n');
	symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');

	// 2. Compile from the node and the one credential; keep only the sources tsc reached.
	writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig([NODE_FILE, credentialFile]), null, '\t') + '\n');
	const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
	let listed: string;
	try {
		listed = run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], dir);
	} catch (error) {
		const e = error as { stdout?: string; stderr?: string };
		throw new Error(`${name}: tsc failed\n${e.stdout ?? ''}${e.stderr ?? ''}`);
	}
	const reached = new Set(listed.split('\n').map((line) => line.trim()).filter((line) => line.startsWith(dir + '/')).map((line) => relative(dir, line)));
	for (const file of walk(join(dir, 'nodes')).concat(walk(join(dir, 'credentials')))) {
		const rel = relative(dir, file);
		if (rel.endsWith('.ts') && !reached.has(rel)) rmSync(file);
	}
	// Icons and other assets: what n8n-node build copies (svg/png), next to the compiled files.
	for (const file of walk(join(dir, 'nodes')).concat(walk(join(dir, 'icons')))) {
		if (/\.(svg|png)$/.test(file)) {
			const target = join(dir, 'dist', relative(dir, file));
			mkdirSync(dirname(target), { recursive: true });
			cpSync(file, target);
		}
	}
	removeUnusedIcons(dir);

	// 3. package.json, README, LICENSE, the template lint config.
	const credentialJs = `dist/${credentialFile.replace(/\.ts$/, '.js')}`;
	const pkg = {
		name,
		version: rootPkg.version,
		description: `n8n community node for Kling 3.0 Motion Control through ${adapter.displayName}: animate a character image with the motion of a reference video. The ${adapter.displayName}-only edition of ${rootPkg.name as string}.`,
		license: 'MIT',
		keywords: ['n8n-community-node-package', 'n8n', 'kling', 'motion-control', 'video', adapter.id.toLowerCase()],
		...packageFields(project),
		engines: rootPkg.engines,
		files: ['dist'],
		scripts: { build: 'n8n-node build', lint: 'n8n-node lint' },
		n8n: {
			n8nNodesApiVersion: 1,
			strict: true,
			credentials: [credentialJs],
			nodes: (rootPkg.n8n as { nodes: string[] }).nodes,
		},
		devDependencies: pick(rootPkg.devDependencies as Record<string, string>, ['@n8n/node-cli', 'eslint', 'typescript']),
		peerDependencies: rootPkg.peerDependencies,
	};
	writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
	writeFileSync(join(dir, 'eslint.config.mjs'), TEMPLATE_ESLINT);
	cpSync(join(ROOT, 'LICENSE'), join(dir, 'LICENSE'));
	writeFileSync(join(dir, 'README.md'), readme(adapter, name, rootPkg, credentialFile));

	// 4. Check what n8n will load, then pack.
	verifyCompiledNode(dir, adapter, name);
	const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', OUT], dir)) as Array<{
		filename: string;
		size: number;
		unpackedSize: number;
		files: Array<{ path: string; size: number }>;
	}>;
	return {
		name,
		provider: adapter.id,
		providerName: adapter.displayName,
		credentialType: adapter.credentialType,
		dir: relative(ROOT, dir),
		tarball: relative(ROOT, join(OUT, packed[0].filename)),
		files: packed[0].files.map(({ path, size }) => ({ path, size })),
		packedBytes: packed[0].size,
		unpackedBytes: packed[0].unpackedSize,
	};
}

function pick(source: Record<string, string>, keys: string[]): Record<string, string> {
	return Object.fromEntries(keys.filter((key) => source[key]).map((key) => [key, source[key]]));
}

/** Icons under icons/ that no kept source names (a provider's own credential icon, say) are dropped. */
function removeUnusedIcons(dir: string) {
	const sources = walk(join(dir, 'nodes')).concat(walk(join(dir, 'credentials'))).filter((f) => f.endsWith('.ts'));
	const text = sources.map((file) => readFileSync(file, 'utf8')).join('\n');
	for (const icon of readdirSync(join(dir, 'icons'))) {
		if (!text.includes(icon)) {
			rmSync(join(dir, 'icons', icon));
			rmSync(join(dir, 'dist', 'icons', icon), { force: true });
		}
	}
}

/** The compiled node as n8n loads it: one credential, the Provider option set to this provider. */
function verifyCompiledNode(dir: string, adapter: Adapter, name: string) {
	const script = `
		const { KlingMotionControl } = require('./dist/${NODE_FILE.replace(/\.ts$/, '.js')}');
		const d = new KlingMotionControl().description;
		const provider = d.properties.find((p) => p.name === 'authentication');
		console.log(JSON.stringify({
			credentials: (d.credentials || []).map((c) => c.name),
			options: (provider && provider.options || []).map((o) => o.value),
			default: provider && provider.default,
		}));`;
	const seen = JSON.parse(run(process.execPath, ['-e', script], dir)) as { credentials: string[]; options: string[]; default: string };
	const problems: string[] = [];
	if (seen.credentials.join() !== adapter.credentialType) problems.push(`credentials ${seen.credentials.join(', ')} (want only ${adapter.credentialType})`);
	if (seen.options.join() !== adapter.id) {
		problems.push(`Provider options ${seen.options.join(', ')} (want only ${adapter.id}: the description must derive them from PROVIDERS)`);
	}
	if (seen.default !== adapter.id) problems.push(`Provider default ${seen.default} (want ${adapter.id})`);
	if (problems.length) throw new Error(`${name}: the compiled node is not reduced to ${adapter.id}: ${problems.join('; ')}`);
}

function readme(adapter: Adapter, name: string, rootPkg: Record<string, unknown>, credentialFile: string): string {
	const urls = projectUrls(readProject());
	const credentialName = basename(credentialFile, '.credentials.ts');
	return `# ${name}

[Kling 3.0 Motion Control](${urls.readme}) for [n8n](https://n8n.io), through **${adapter.displayName}** only:
animate a character image with the motion of a reference video.

This is the ${adapter.displayName} edition of [\`${rootPkg.name as string}\`](https://www.npmjs.com/package/${rootPkg.name as string}),
generated from the same source (\`npm run build:packages\` there). The node, its parameters, its operations and its
outputs are the same; the Provider field offers ${adapter.displayName} only, and the package holds one
credential, **${credentialName}** (type \`${adapter.credentialType}\`).

## Install

In n8n: **Settings → Community Nodes → Install**, package name \`${name}\`.
Self-hosted n8n 3.0 and later install unverified community packages only with
\`N8N_UNVERIFIED_PACKAGES_ENABLED=true\`; see [Install in n8n](${urls.installDoc}) for which package to pick.

## Moving a workflow between this package and the all-in-one package

The node's type is \`${name}.klingMotionControl\` here and \`${rootPkg.name as string}.klingMotionControl\`
in the all-in-one package; its parameters, the Provider value (\`${adapter.id}\`) and the credential type are
the same in both. To move a saved workflow, change the package part of the node type, or run
\`npm run workflow:convert -- <workflow.json> <package>\` in the source repository.

## Documentation

Parameters, outputs, limits and prices: [the project README](${urls.readme}).

## License

MIT
`;
}

// ---------------------------------------------------------------------------------------------------

function main() {
	const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
	const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
	if (!existsSync(join(ROOT, 'LICENSE'))) throw new Error('LICENSE is missing');
	const everyAdapter = loadAdapters();
	const allIds = everyAdapter.map((adapter) => adapter.id);
	const adapters = everyAdapter.filter((adapter) => !only.length || only.includes(adapter.id));
	const credentials = credentialFiles();
	mkdirSync(OUT, { recursive: true });
	const prefix = readProject().singlePackagePrefix;
	// A partial build (`-- fal kling`) replaces those packages and keeps the others' entries.
	const listFile = join(OUT, 'packages.json');
	const rebuilt = new Set(adapters.map((adapter) => packageName(adapter, prefix)));
	const kept = (existsSync(listFile) ? (JSON.parse(readFileSync(listFile, 'utf8')) as BuiltPackage[]) : []).filter(
		(pkg) => only.length > 0 && !rebuilt.has(pkg.name) && existsSync(join(ROOT, pkg.tarball)),
	);
	for (const old of readdirSync(OUT).filter((f) => f.endsWith('.tgz') && !kept.some((pkg) => pkg.tarball.endsWith(`/${f}`)))) rmSync(join(OUT, old));
	const built: BuiltPackage[] = [];
	for (const adapter of adapters) {
		const credentialFile = credentials.get(adapter.credentialType);
		if (!credentialFile) throw new Error(`no credentials/*.credentials.ts has name = '${adapter.credentialType}' (adapter ${adapter.id})`);
		const pkg = buildOne(adapter, credentialFile, rootPkg, allIds);
		built.push(pkg);
		console.log(`${pkg.name}: ${pkg.files.length} files, ${(pkg.packedBytes / 1024).toFixed(1)} kB packed, ${(pkg.unpackedBytes / 1024).toFixed(1)} kB unpacked → ${pkg.tarball}`);
	}
	const all = [...kept, ...built].sort((a, b) => a.name.localeCompare(b.name));
	writeFileSync(listFile, JSON.stringify(all, null, 2) + '\n');
}

if (require.main === module) {
	try {
		main();
	} catch (error) {
		console.error((error as Error).message);
		process.exit(1);
	}
}

// `npm run workflow:convert -- <workflow.json> <package> [--out <file>]`
// Moves a saved workflow between the all-in-one package and a single-provider package: every Kling
// Motion Control node's type becomes `<package>.klingMotionControl`. Parameters, the Provider value
// (`authentication`) and the credential reference stay as they are, with one exception: n8n leaves a
// parameter at its default out of the saved JSON, and the Provider default differs between packages
// (WaveSpeedAI in the all-in-one, the package's provider in a single-provider one), so the node's
// current provider is written out explicitly. A node whose provider the target package does not offer
// is refused. Without --out the file is rewritten in place.
import { readFileSync, writeFileSync } from 'node:fs';

import { PROVIDERS } from '../nodes/KlingMotionControl/providers';
import { readProject } from './project-config';

const NODE_NAME = 'klingMotionControl';
const ALL_IN_ONE_DEFAULT = 'waveSpeed';

interface WorkflowNode {
	name: string;
	type: string;
	parameters?: Record<string, unknown>;
}

/** Provider ids by the lower-case suffix of their package name (wavespeed → waveSpeed). */
const PROVIDER_IDS = new Map(Object.values(PROVIDERS).map((adapter) => [adapter.id.toLowerCase(), adapter.id]));

export function convertWorkflow(workflow: { nodes?: WorkflowNode[] }, target: string, allInOne: string, prefix: string) {
	const providerOf = (pkg: string) => (pkg === allInOne ? undefined : pkg.startsWith(prefix) ? (PROVIDER_IDS.get(pkg.slice(prefix.length)) ?? null) : null);
	const targetProvider = providerOf(target);
	if (targetProvider === null) throw new Error(`${target} is neither ${allInOne} nor one of the ${prefix}<provider> packages`);
	const changed: string[] = [];
	for (const node of workflow.nodes ?? []) {
		const [pkg, name] = [node.type.slice(0, node.type.lastIndexOf('.')), node.type.slice(node.type.lastIndexOf('.') + 1)];
		if (name !== NODE_NAME || providerOf(pkg) === null) continue;
		const sourceProvider = providerOf(pkg);
		const parameters = (node.parameters ??= {});
		const current = String(parameters.authentication ?? sourceProvider ?? ALL_IN_ONE_DEFAULT);
		if (targetProvider !== undefined && current !== targetProvider) {
			throw new Error(`node "${node.name}" uses provider ${current}; ${target} offers ${targetProvider} only`);
		}
		parameters.authentication = current;
		node.type = `${target}.${NODE_NAME}`;
		changed.push(node.name);
	}
	return changed;
}

function main() {
	const args = process.argv.slice(2);
	const outAt = args.indexOf('--out');
	const out = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;
	const [file, target] = args;
	if (!file || !target) {
		console.error('usage: npm run workflow:convert -- <workflow.json> <package name> [--out <file>]');
		process.exit(2);
	}
	const allInOne = (JSON.parse(readFileSync(`${__dirname}/../package.json`, 'utf8')) as { name: string }).name;
	const workflow = JSON.parse(readFileSync(file, 'utf8')) as { nodes?: WorkflowNode[] };
	const changed = convertWorkflow(workflow, target, allInOne, readProject().singlePackagePrefix);
	writeFileSync(out ?? file, JSON.stringify(workflow, null, 2) + '\n');
	console.log(`${changed.length} node(s) now use ${target}: ${changed.join(', ') || '-'}`);
}

if (require.main === module) {
	try {
		main();
	} catch (error) {
		console.error((error as Error).message);
		process.exit(1);
	}
}

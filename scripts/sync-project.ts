// `npm run sync`: writes scripts/project.json's repository and author into package.json and the
// node's documentation links into its codex file. `--check` only reports drift (CI and `npm test`).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageFields, projectUrls, readProject, ROOT } from './project-config';

const check = process.argv.includes('--check');
const project = readProject();
const urls = projectUrls(project);
const drift: string[] = [];

function update(file: string, edit: (json: Record<string, unknown>) => Record<string, unknown>, tabs: boolean) {
	const path = join(ROOT, file);
	const before = readFileSync(path, 'utf8');
	const after = JSON.stringify(edit(JSON.parse(before)), null, tabs ? '\t' : 2) + '\n';
	if (after === before) return;
	drift.push(file);
	if (!check) writeFileSync(path, after);
}

update(
	'package.json',
	(pkg) => {
		// Keep package.json's key order: replace in place, append what is missing.
		const fields = packageFields(project) as Record<string, unknown>;
		const out: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(pkg)) out[key] = key in fields ? fields[key] : value;
		for (const [key, value] of Object.entries(fields)) if (!(key in out)) out[key] = value;
		return out;
	},
	false,
);

const codex = 'nodes/KlingMotionControl/KlingMotionControl.node.json';
const codexBefore = readFileSync(join(ROOT, codex), 'utf8');
const codexJson = JSON.parse(codexBefore) as { resources?: Record<string, Array<{ url: string }>> };
const wanted = { primaryDocumentation: [{ url: urls.readme }], credentialDocumentation: [{ url: urls.providersDoc }] };
if (JSON.stringify({ ...codexJson.resources, ...wanted }) !== JSON.stringify(codexJson.resources)) {
	drift.push(codex);
	if (!check) {
		// The codex file keeps its hand formatting; only the two URLs change.
		let text = codexBefore;
		for (const [key, [{ url }]] of Object.entries(wanted)) {
			text = text.replace(new RegExp(`("${key}":\\s*\\[\\s*\\{\\s*"url":\\s*)"[^"]*"`), `$1"${url}"`);
		}
		writeFileSync(join(ROOT, codex), text);
	}
}

if (check && drift.length) {
	console.error(`Out of step with scripts/project.json: ${drift.join(', ')}. Run \`npm run sync\`.`);
	process.exit(1);
}
console.log(drift.length ? `Updated from scripts/project.json: ${drift.join(', ')}` : 'package.json and the codex file match scripts/project.json');

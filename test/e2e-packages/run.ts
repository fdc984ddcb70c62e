// End-to-end: single-provider packages (npm run build:packages) inside the real n8n application.
//   node -r ts-node/register/transpile-only test/e2e-packages/run.ts [--providers fal,waveSpeed] [--skip-build]
// Builds and packs the packages for the given providers (default fal and waveSpeed), installs them side by
// side into one n8n 2.41.1 (the shared runner, ../e2e-shared), without the all-in-one package, and checks:
//   1. n8n loaded each package's node under `<package>.klingMotionControl`, with one credential and
//      the Provider field reduced to that provider;
//   2. Submit and Wait for Completion runs through each package against the emulator. The second
//      provider's workflow leaves Provider out of its parameters, as n8n saves a parameter at its
//      default, so it runs on the package's own default.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ProviderId } from '../emulator';
import type { Workflow } from '../e2e-shared';
import { arg, CACHE, Check, credentials, flag, kling, log, manual, media, outputOf, ROOT, Results, runError, runMain, startN8nWithPackage, stopOnSignals, wf } from '../e2e-shared';

interface BuiltPackage {
	name: string;
	provider: string;
	credentialType: string;
	tarball: string;
}

const PROVIDERS = (arg('providers') ?? 'fal,waveSpeed').split(',') as ProviderId[];
const NODE_NAME = 'klingMotionControl';
const workflowId = (p: string): string => `e2e-package-${p.toLowerCase()}`;

function buildPackages(): BuiltPackage[] {
	if (!flag('skip-build')) {
		const r = spawnSync('npm', ['run', 'build:packages', '--', ...PROVIDERS], { cwd: ROOT, encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`npm run build:packages failed:\n${`${r.stdout}\n${r.stderr}`.slice(-4000)}`);
	}
	const built = JSON.parse(readFileSync(join(ROOT, '.packages', 'packages.json'), 'utf8')) as BuiltPackage[];
	return PROVIDERS.map((p) => {
		const pkg = built.find((b) => b.provider === p);
		if (!pkg) throw new Error(`.packages/packages.json has no package for ${p} (built: ${built.map((b) => b.provider).join(', ')})`);
		return { ...pkg, tarball: join(ROOT, pkg.tarball) };
	});
}

function submitAndWait(emu: Parameters<typeof media>[0], pkg: BuiltPackage, providerExplicit: boolean): Workflow {
	const m = media(emu);
	const node = kling('Kling', pkg.provider as ProviderId, {
		operation: 'submitAndWait',
		imageUrl: m.image(),
		videoUrl: m.video(5),
		characterOrientation: 'image',
		options: { pollInterval: 0.5, timeout: 2 },
	});
	node.type = `${pkg.name}.${NODE_NAME}`;
	if (!providerExplicit) delete node.parameters.authentication;
	return wf(workflowId(pkg.provider), `e2e: Submit and Wait through ${pkg.name}`, [manual(), node]);
}

runMain(async () => {
	const results = new Results();
	const t = Date.now();
	const packages = buildPackages();
	log(`single-provider packages: ${packages.map((p) => p.name).join(', ')} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
	const types = new Set(packages.map((p) => p.credentialType));
	const n = await startN8nWithPackage({
		name: 'packages',
		tarball: packages[0].tarball,
		packages: packages.slice(1).map((p) => p.tarball),
		credentials: (emu) => (credentials(emu) as Array<{ type: string }>).filter((c) => types.has(c.type)),
		workflows: (emu) => packages.map((p, i) => submitAndWait(emu, p, i === 0)),
		log,
	});
	try {
		n.emulator.jobMs = 1500;
		await results.scenario('n8n loads each package: its node type, one credential, one provider', async () => {
			const c: Check = new Check('node types');
			const res = await fetch(`${n.url}/types/nodes.json`, { headers: { cookie: n.cookie } });
			c.ok(res.ok, `GET /types/nodes.json answered ${res.status}`);
			const all = (await res.json()) as Array<{ name: string; credentials?: Array<{ name: string }>; properties: Array<{ name: string; default?: unknown; options?: Array<{ value: unknown }> }> }>;
			const lines: string[] = [];
			for (const pkg of packages) {
				const type = all.find((d) => d.name === `${pkg.name}.${NODE_NAME}`);
				c.ok(type, `n8n does not list ${pkg.name}.${NODE_NAME} (Kling types: ${all.filter((d) => d.name.endsWith(NODE_NAME)).map((d) => d.name).join(', ') || 'none'})`);
				const provider = type.properties.find((p) => p.name === 'authentication');
				c.eq((type.credentials ?? []).map((cr) => cr.name), [pkg.credentialType], `${pkg.name} credentials`);
				c.eq(provider?.options?.map((o) => o.value), [pkg.provider], `${pkg.name} Provider options`);
				c.eq(provider?.default, pkg.provider, `${pkg.name} Provider default`);
				lines.push(`${pkg.name}.${NODE_NAME}: ${pkg.credentialType}, Provider ${pkg.provider}`);
			}
			c.ok(!all.some((d) => d.name === `n8n-nodes-kling-motion-control.${NODE_NAME}`), 'the all-in-one package is loaded too');
			return lines.join('; ');
		});
		for (const [i, pkg] of packages.entries()) {
			await results.scenario(`Submit and Wait through ${pkg.name}${i === 0 ? '' : ' (Provider left at its default)'}`, async () => {
				const c: Check = new Check(pkg.name);
				const { run, cli } = await n.n8n.execute(workflowId(pkg.provider));
				const err = runError(run.data);
				c.ok(!err && run.status !== 'error', `execute (exit ${cli.code}): ${err ?? run.status}`);
				const items = outputOf(run.data, 'Kling');
				c.eq(items.length, 1, 'output items');
				const j = items[0].json;
				c.eq([j.provider, j.status], [pkg.provider, 'completed'], 'provider and status');
				c.ok(typeof j.videoUrl === 'string' && /^https?:\/\//.test(j.videoUrl), `videoUrl ${JSON.stringify(j.videoUrl)}`);
				const tasks = n.emulator.tasks(pkg.provider as ProviderId);
				c.ok(tasks.some((task) => JSON.stringify(task).includes(String(j.taskId))), `the emulator has no ${pkg.provider} task ${String(j.taskId)}`);
				return `task ${String(j.taskId)} completed, ${String(j.videoUrl).replace(n.emulator.cdnUrl, '<cdn>')} (execute ${cli.seconds.toFixed(1)} s)`;
			});
		}
	} finally {
		await n.stop();
	}
	results.finish('e2e single-provider packages', join(CACHE, 'results-packages.json'), { packages: packages.map((p) => p.name) });
});
stopOnSignals(log);

// The single-provider packages' two pieces of pure logic: reducing the registry source
// (scripts/build-packages.ts) and moving a saved workflow between packages (scripts/convert-workflow.ts).
// The packages themselves are built, linted, scanned and run in real n8n by npm run build:packages,
// npm run check:packages and the e2e suite.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseRegistry, reduceRegistry } from '../../scripts/build-packages';
import { convertWorkflow } from '../../scripts/convert-workflow';

const REGISTRY = readFileSync(join(__dirname, '../../nodes/KlingMotionControl/providers/index.ts'), 'utf8');

describe('reduceRegistry', () => {
	it('keeps one adapter and its import line, and drops the other adapters’ imports', () => {
		const reduced = reduceRegistry(REGISTRY, 'fal');
		expect(reduced).toMatch(/export const PROVIDERS[^=]*= \{\n\tfal,\n\}/);
		expect(reduced).toContain("import { fal } from './fal';");
		for (const key of parseRegistry(REGISTRY).keys.filter((k) => k !== 'fal')) {
			expect(reduced).not.toContain(`import { ${key} } from`);
		}
	});

	it.each([
		['no annotation', 'export const PROVIDERS = {\n\taiHubMax,\n\tfal,\n\tkie,\n\tnovita,\n};', 'export const PROVIDERS = {\n\tnovita,\n};'],
		['as const', 'export const PROVIDERS = { aiHubMax, fal, kie, novita } as const;', 'export const PROVIDERS = {\n\tnovita,\n} as const;'],
		[
			'satisfies',
			'export const PROVIDERS = {\n\taiHubMax, // comment\n\tfal,\n\tkie,\n\tnovita,\n} as const satisfies Record<string, ProviderAdapter>;',
			'export const PROVIDERS = {\n\tnovita,\n} as const;',
		],
		[
			'a type annotation',
			'export const PROVIDERS: Record<ProviderId, ProviderAdapter> = { aiHubMax, fal, kie, novita };',
			'export const PROVIDERS: Record<ProviderId, ProviderAdapter> = {\n\tnovita,\n} as unknown as Record<ProviderId, ProviderAdapter>;',
		],
	])('handles a registry with %s, and providers added later', (_label, registry, expected) => {
		const imports = ['aiHubMax', 'fal', 'kie', 'novita'].map((k) => `import { ${k} } from './${k}';\n`).join('');
		const reduced = reduceRegistry(`${imports}import type { ProviderAdapter } from './types';\n\n${registry}\n`, 'novita');
		expect(reduced).toBe(`import { novita } from './novita';\nimport type { ProviderAdapter } from './types';\n\n${expected}\n`);
	});
});

describe('convertWorkflow', () => {
	const ALL = 'n8n-nodes-kling-motion-control';
	const PREFIX = 'n8n-nodes-kling-motion-control-';
	const workflow = () => ({
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', parameters: {} },
			{
				name: 'Kling',
				type: `${ALL}.klingMotionControl`,
				parameters: { authentication: 'evoLink', operation: 'submit' },
				credentials: { klingMcEvoLinkApi: { id: '1', name: 'EvoLink account' } },
			},
		],
	});

	it('changes only the package part of the type; parameters and credentials stay', () => {
		const wf = workflow();
		expect(convertWorkflow(wf, `${PREFIX}evolink`, ALL, PREFIX)).toEqual(['Kling']);
		expect(wf.nodes[1]).toEqual({ ...workflow().nodes[1], type: `${PREFIX}evolink.klingMotionControl` });
		expect(wf.nodes[0]).toEqual(workflow().nodes[0]);
	});

	it('writes out the provider a single-provider package left at its default, on the way back', () => {
		const wf = { nodes: [{ name: 'Kling', type: `${PREFIX}wavespeed.klingMotionControl`, parameters: {} }] };
		convertWorkflow(wf, ALL, ALL, PREFIX);
		expect(wf.nodes[0]).toEqual({ name: 'Kling', type: `${ALL}.klingMotionControl`, parameters: { authentication: 'waveSpeed' } });
		const fal = { nodes: [{ name: 'Kling', type: `${PREFIX}fal.klingMotionControl`, parameters: {} as Record<string, unknown> }] };
		convertWorkflow(fal, ALL, ALL, PREFIX);
		expect(fal.nodes[0].parameters.authentication).toBe('fal');
	});

	it('refuses a node whose provider the target package does not offer', () => {
		expect(() => convertWorkflow(workflow(), `${PREFIX}fal`, ALL, PREFIX)).toThrow('uses provider evoLink');
		// No authentication in the all-in-one means its default, WaveSpeedAI.
		const wf = { nodes: [{ name: 'Kling', type: `${ALL}.klingMotionControl`, parameters: {} }] };
		expect(() => convertWorkflow(wf, `${PREFIX}fal`, ALL, PREFIX)).toThrow('uses provider waveSpeed');
	});
});

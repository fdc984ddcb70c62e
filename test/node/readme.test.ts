/** The README's claims that come from data or code must match it. */
import fs from 'node:fs';
import path from 'node:path';

import { renderReadme } from '../../scripts/render-prices';

const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

it('the README price table is the rendered prices.json (npm run docs:prices)', () => {
	expect(renderReadme(readme)).toBe(readme);
});

it('every example workflow the README links to exists and uses the node type of the interface', () => {
	const links = [...readme.matchAll(/\(examples\/([\w-]+\.json)\)/g)].map((match) => match[1]);
	expect(links.length).toBeGreaterThanOrEqual(3);
	for (const file of links) {
		const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, '../../examples', file), 'utf8'));
		const types = workflow.nodes.map((node: { type: string }) => node.type);
		// the node itself, or its AI Agent tool variant (n8n's type name + "Tool")
		const ours = types.filter((type: string) => /^n8n-nodes-kling-motion-control\.klingMotionControl(Tool)?$/.test(type));
		expect(ours.length).toBeGreaterThan(0);
	}
});

it('.ci/run runs exactly the README test command', () => {
	const ci = fs.readFileSync(path.join(__dirname, '../../.ci/run'), 'utf8');
	expect(readme).toContain('npm ci && npm run demo');
	expect(readme).toMatch(/^npm test\b/m);
	expect(ci).toMatch(/^npm ci$/m);
	expect(ci).toMatch(/^npm test$/m);
});

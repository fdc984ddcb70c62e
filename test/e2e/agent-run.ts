// Only scenario 6 (the node as AI Agent tools): a quicker loop while working on tool mode, and the way to
// try it on n8n 1.x (AI Agent 3). `npm run test:e2e` runs the same scenarios in its 2.x suite.
//   node -r ts-node/register/transpile-only test/e2e/agent-run.ts [--skip-build] [--target 2.x|1.x|1.x-vm]
import { join } from 'node:path';

import { arg, CACHE, Check, credentials, ensureTarget, flag, log, packageTarball, Results, runMain, startN8nWithPackage, stopOnSignals } from '../e2e-shared';
import { startEmulator } from '../emulator';
import { agentExampleWorkflow, agentScenarios, agentVersionFor, agentScript, agentToolsWorkflow, openAiCredential } from './agent';
import { FakeModel } from './fakeModel';

runMain(async () => {
	const results = new Results();
	const installed = await ensureTarget(arg('target') ?? '2.x');
	const label = installed.target.label;
	const agentVersion = agentVersionFor(installed.target.version);
	const emu = await startEmulator({ jobMs: 1500 });
	const model = await new FakeModel(agentScript(emu)).start();
	try {
		const n = await startN8nWithPackage({
			target: installed,
			tarball: packageTarball(flag('skip-build')),
			emulator: emu,
			credentials: (e) => [...credentials(e), openAiCredential(model)],
			workflows: (e) => [agentToolsWorkflow(agentVersion), agentExampleWorkflow(e, agentVersion)],
			name: `agent-${label}`,
			log,
		});
		try {
			await agentScenarios({
				label,
				emu,
				model,
				execute: async (id) => {
					const { run, cli } = await n.n8n.execute(id);
					return { run, seconds: cli.seconds };
				},
				scenario: (target, name, fn) => results.scenario(name, fn, target),
				check: (where) => new Check(where),
			});
		} finally {
			await n.stop();
		}
	} finally {
		await model.close();
		await emu.close();
	}
	results.finish('e2e agent', join(CACHE, 'results-agent.json'));
});
stopOnSignals(log);

// End-to-end suite on the real n8n application (see README.md beside this file).
//   node -r ts-node/register/transpile-only test/e2e/run.ts [--only 2.x|1.x] [--skip-build]
// Installs n8n into .cache/e2e/ (reused), builds and installs this package as a community package,
// imports credentials and workflows, starts the provider emulator and n8n, runs the scenarios,
// prints one line per scenario and exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Emulator } from '../emulator';
import { startEmulator } from '../emulator';
import type { ApiExecution, Installed, Item, N8n, Run, Workflow } from '../e2e-shared';
import { CACHE, Check, credentials, ensureTargets, flag, log, NODE_TYPE, only, outputOf, packageTarball, PKG, Results, ROOT, runError, runMain, secs, sleep, startN8nWithPackage, stopOnSignals, TARGETS } from '../e2e-shared';
import { agentExampleWorkflow, agentScenarios, agentScript, agentToolsWorkflow, openAiCredential } from './agent';
import { FakeModel } from './fakeModel';
import {
	callbackPath,
	callbackServer,
	callbackWorkflowId,
	downloadCheck,
	errorOutput,
	examples,
	PER_PROVIDER_SUBMIT_AND_WAIT,
	providerSubmitAndWait,
	submitWaitNode,
} from './workflows';

const STATUSES = ['queued', 'processing', 'completed', 'failed', 'canceled'];
const results = new Results();

// ---------- assertions shared by examples and scenarios ----------

function json(item: Item): Record<string, unknown> {
	return item.json;
}

/** Checks every Kling Motion Control node of a finished run; returns a short summary. */
function checkKlingNodes(c: Check, workflow: Workflow, data: Run['data'], expectFailed: number): string {
	const parts: string[] = [];
	let failed = 0;
	for (const n of workflow.nodes.filter((x) => x.type === NODE_TYPE)) {
		const op = String(n.parameters.operation ?? 'submitAndWait');
		const options = (n.parameters.options ?? {}) as Record<string, unknown>;
		const ok = outputOf(data, n.name, 0);
		const errors = n.onError === 'continueErrorOutput' ? outputOf(data, n.name, 1) : [];
		c.ok(ok.length + errors.length > 0, `"${n.name}" emitted no items`);
		for (const item of ok) {
			const j = json(item);
			c.ok(
				j.error === undefined,
				`"${n.name}" emitted a failed-task item on its success output (0), not the error output: ${JSON.stringify({ error: j.error, details: j.details }).slice(0, 400)}`,
			);
			c.ok(STATUSES.includes(String(j.status)), `"${n.name}" item status ${JSON.stringify(j.status)}`);
			c.ok(typeof j.taskId === 'string' && j.taskId.length > 0, `"${n.name}" item has no taskId: ${JSON.stringify(j).slice(0, 300)}`);
			c.ok(item.pairedItem !== undefined, `"${n.name}" item has no pairedItem`);
			if (op === 'submit') c.ok(['queued', 'processing'].includes(String(j.status)), `"${n.name}" (submit) status ${String(j.status)}`);
			else {
				// a result the workflow hands on must be the finished video
				c.eq(j.status, 'completed', `"${n.name}" (${op}) status${j.errorMessage ? ` (errorMessage: ${String(j.errorMessage)})` : ''}`);
				c.ok(typeof j.videoUrl === 'string' && /^https?:\/\//.test(j.videoUrl), `"${n.name}" videoUrl ${JSON.stringify(j.videoUrl)}`);
				if (options.downloadVideo) {
					const field = String(options.binaryPropertyName ?? 'data');
					const bin = item.binary?.[field];
					c.ok(bin, `"${n.name}" item has no binary "${field}"`);
					c.eq(bin.mimeType, 'video/mp4', `"${n.name}" binary mimeType`);
				}
			}
		}
		for (const item of errors) {
			const j = json(item);
			c.ok(typeof j.error === 'string', `"${n.name}" error item has no json.error: ${JSON.stringify(j).slice(0, 300)}`);
			// n8n < 2.36 routes only {error, message} to the error output: there the node puts the details in message.
			const d = (j.details ?? j.message) as Record<string, unknown> | undefined;
			c.ok(d && typeof d.taskId === 'string', `"${n.name}" error item has no details.taskId: ${JSON.stringify(j).slice(0, 500)}`);
			c.ok(String(j.error).includes(String(d.taskId)), `"${n.name}" error message does not name task ${String(d.taskId)}: ${String(j.error)}`);
		}
		failed += errors.length;
		parts.push(`${n.name}: ${ok.map((i) => String(json(i).status)).join('/') || 'none'}${errors.length ? ` + ${errors.length} on error output` : ''}`);
	}
	c.eq(failed, expectFailed, 'items on error outputs');
	return parts.join('; ');
}

/** Executes with `n8n execute`; a run that ends waiting must be finished by the running server (callback). */
async function executeToEnd(n8n: N8n, c: Check, id: string): Promise<{ data: Run['data']; how: string }> {
	const { run, cli } = await n8n.execute(id);
	const status = run.status ?? (run.finished ? 'success' : 'unknown');
	if (status === 'waiting') {
		const exec = await n8n.waitForExecution(id, 90_000);
		c.ok(exec.data, `execution ${exec.id} has no data`);
		c.eq(exec.status, 'success', `execution ${exec.id} (resumed by the server) status${runError(exec.data) ? `; error: ${runError(exec.data)}` : ''}`);
		return { data: exec.data, how: `execute ${cli.seconds.toFixed(1)} s → waiting → resumed by callback` };
	}
	const err = runError(run.data);
	c.ok(!err && status === 'success', `execute status ${status} (exit ${cli.code})${err ? `: ${err}` : ''}`);
	return { data: run.data, how: `execute ${cli.seconds.toFixed(1)} s` };
}

// ---------- one suite per n8n version ----------

async function suite(installed: Installed, emu: Emulator, tarball: string): Promise<void> {
	const label = installed.target.label;
	emu.reset();
	emu.jobMs = 1500; // done before the node's first status check (≤ 2 s): the examples' default 10 s poll is not waited for

	const exampleFaults: Record<string, Record<string, string>> = {
		// the batch example routes failed items to its error output: make one fail
		'batch-with-error-output.json': { 'bob.png': 'emu=fail' },
		// callback example: a job long enough for the execution to be waiting before the provider calls
		'submit-callback-resume.json': { 'character.png': 'emu_ms=8000' },
	};
	const expectFailed: Record<string, number> = { 'batch-with-error-output.json': 1 };
	const exs = examples(emu, exampleFaults);
	const sizes = [150_000, 250_000];
	const failMessage = 'E2E: the model refused this character';
	// providers whose callbacks fire once, at the end (fal: ?fal_webhook=, Replicate: webhook + events filter "completed")
	const callbackProviders = ['fal', 'replicate'] as const;
	const perProvider = PER_PROVIDER_SUBMIT_AND_WAIT.map((p) => providerSubmitAndWait(emu, p));
	const scenarios = [
		downloadCheck(emu, sizes),
		submitWaitNode(emu, 6000, 3),
		errorOutput(emu, failMessage),
		...callbackProviders.map((p) => callbackServer(p)),
		...perProvider,
	];

	// (6) AI Agent with the node as tools: n8n 2.x (its AI Agent 3.1 and OpenAI Chat Model 1.3)
	const model = installed.target.version.startsWith('2.') ? await new FakeModel(agentScript(emu)).start() : undefined;
	const agentWorkflows = model ? [agentToolsWorkflow(), agentExampleWorkflow(emu)] : [];

	// imports, `n8n start`, owner + API key, the callback workflows published
	const started = await startN8nWithPackage({
		target: installed,
		tarball,
		emulator: emu,
		credentials: (e) => [...credentials(e), ...(model ? [openAiCredential(model)] : [])],
		workflows: [...exs.map((e) => e.workflow), ...scenarios, ...agentWorkflows],
		activate: callbackProviders.map((p) => callbackWorkflowId(p)),
		name: `run-${label}`,
		log,
	});
	const n8n = started.n8n;
	const scenario = (name: string, fn: () => Promise<string>): Promise<void> => results.scenario(name, fn, label);

	try {
		// (1) every example the README ships
		for (const ex of exs) {
			await scenario(`1 example ${ex.file}`, async () => {
				const c: Check = new Check(ex.file);
				const sent = emu.callbacks.length;
				try {
					const { data, how } = await executeToEnd(n8n, c, ex.workflow.id);
					return `${how}; ${checkKlingNodes(c, ex.workflow, data, expectFailed[ex.file] ?? 0)}`;
				} catch (e) {
					// the provider callbacks of this example explain most resume problems
					const cbs = emu.callbacks.slice(sent).map((x) => `${new Date(x.at).toISOString().slice(11, 23)} ${x.provider} ${x.event} → n8n answered ${String(x.result)}`);
					if (cbs.length) (e as Error).message += `\nprovider callbacks:\n  ${cbs.join('\n  ')}`;
					throw e;
				}
			});
		}

		// (2) Submit and Wait + Download Video → Code node checks the binary
		await scenario('2 download → Code node checks binary', async () => {
			const c: Check = new Check('download');
			const wf = scenarios[0];
			const { data, how } = await executeToEnd(n8n, c, wf.id);
			checkKlingNodes(c, wf, data, 0);
			const kling = outputOf(data, 'Kling Motion Control');
			const checked = outputOf(data, 'Check binary').map(json);
			c.eq(checked.length, sizes.length, 'checked items');
			for (let i = 0; i < sizes.length; i++) {
				const url = String(json(kling[i]).videoUrl);
				const head = await fetch(url, { method: 'HEAD' });
				const served = Number(head.headers.get('content-length'));
				c.eq(checked[i].size, served, `item ${i} binary size vs. the provider's file (${url})`);
				c.eq(checked[i].size, sizes[i], `item ${i} binary size vs. emu_bytes`);
				c.eq(checked[i].taskId, json(kling[i]).taskId, `item ${i} task id (order/pairing)`);
				c.eq(checked[i].fileName, `kling-motion-control-${String(json(kling[i]).taskId)}.mp4`, `item ${i} file name`);
			}
			return `${how}; ${checked.map((x) => `${String(x.size)} B ${String(x.mimeType)} (${String(x.storedAs)})`).join(', ')}`;
		});

		// (3) Submit → Wait node → Wait for Completion
		await scenario('3 submit → Wait node → wait for completion', async () => {
			const c: Check = new Check('wait node');
			const wf = scenarios[1];
			const { data, how } = await executeToEnd(n8n, c, wf.id);
			checkKlingNodes(c, wf, data, 0);
			const submitted = json(outputOf(data, 'Submit')[0]);
			const done = json(outputOf(data, 'Wait for Completion')[0]);
			c.eq(done.taskId, submitted.taskId, 'task id after the Wait node');
			const waitRun = data.resultData.runData.Wait[0] as { executionTime?: number };
			c.ok((waitRun.executionTime ?? 0) >= 2900, `the Wait node waited ${waitRun.executionTime} ms`);
			const task = emu.tasks('kling').find((x) => x.id === submitted.taskId);
			c.ok(task, `emulator has no kling task ${String(submitted.taskId)}`);
			return `${how}; ${String(submitted.status)} → Wait ${waitRun.executionTime} ms → ${String(done.status)} (${String(done.taskId)})`;
		});

		// (4) failing task → error output with its task id
		await scenario('4 failed task → error output (continueErrorOutput)', async () => {
			const c: Check = new Check('error output');
			const wf = scenarios[2];
			const { data, how } = await executeToEnd(n8n, c, wf.id);
			checkKlingNodes(c, wf, data, 1);
			const rows = outputOf(data, 'Rows').map(json);
			const good = outputOf(data, 'Succeeded');
			const bad = outputOf(data, 'Failed');
			c.eq(good.length, 1, 'items on the success output');
			c.eq(bad.length, 1, 'items on the error output');
			const failedTask = emu.tasks('fal').find((x) => JSON.stringify(x).includes('row=bad'));
			c.ok(failedTask, 'the emulator has no failing fal task');
			const j = json(bad[0]);
			const d = (j.details ?? j.message) as Record<string, unknown>;
			c.eq(d.taskId, failedTask.id, 'details.taskId');
			c.eq(d.provider, 'fal', 'details.provider');
			c.eq(d.status, 'failed', 'details.status');
			c.ok(String(j.error).includes(failMessage), `json.error does not carry the provider's message: ${String(j.error)}`);
			// the node's own error output (n8n merges the paired input item's json into it: image, video)
			const raw = outputOf(data, 'Kling Motion Control', 1)[0];
			const paired = raw.pairedItem;
			c.eq(Array.isArray(paired) ? paired[0]?.item : paired?.item, 1, 'error item pairedItem');
			c.eq(json(raw).image, rows[1].image, 'error item json.image (the input row, merged by n8n)');
			return `${how}; error: "${String(j.error).slice(0, 140)}"`;
		});

		// (6) Submit and Wait, with Download Video, through each provider that no other scenario runs
		for (const [index, provider] of PER_PROVIDER_SUBMIT_AND_WAIT.entries()) {
			await scenario(`6 submit and wait through ${provider}`, async () => {
				const c: Check = new Check(`submit and wait (${provider})`);
				const wf = perProvider[index];
				const { data, how } = await executeToEnd(n8n, c, wf.id);
				checkKlingNodes(c, wf, data, 0);
				const j = json(outputOf(data, 'Kling Motion Control')[0]);
				c.eq(j.provider, provider, 'json.provider');
				const task = emu.tasks(provider).find((x) => x.id === j.taskId);
				c.ok(task, `the emulator has no ${provider} task ${String(j.taskId)}`);
				c.eq(j.videoUrl, task.outputs[0], 'videoUrl vs. the provider output');
				return `${how}; ${String(j.status)} (${String(j.taskId)}), ${String(j.providerStatus)}`;
			});
		}

		// (5) server mode: webhook → submit with callback → Wait "On Webhook Call" → Get Status
		for (const provider of callbackProviders) {
			await scenario(`5 server: callback resume (${provider}) via public API`, async () => {
				const wfId = callbackWorkflowId(provider);
				const c: Check = new Check('callback');
				const before = new Set((await n8n.api<{ data: ApiExecution[] }>('GET', `/executions?workflowId=${wfId}`)).data.map((e) => String(e.id)));
				const image = `${emu.cdnUrl}/media/char.png?w=768&h=1024&emu_ms=6000&row=callback-${provider}`;
				const res = await fetch(`${n8n.baseUrl}/webhook/${callbackPath(provider)}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ image, video: `${emu.cdnUrl}/media/clip.mp4?duration=5` }),
				});
				c.ok(res.ok, `POST /webhook/${callbackPath(provider)}: HTTP ${res.status} ${await res.text()}`);
					// it must be parked (waiting, no worker held) before the provider calls back. Read it by id: n8n
				// 1.x lists a waiting webhook execution nowhere but under ?status=running.
				const seen: string[] = [];
				let id: string | undefined;
				for (let i = 0; i < 60 && !seen.includes('waiting'); i++) {
					if (!id) {
						for (const status of ['', 'running', 'waiting']) {
							const list = await n8n.api<{ data: ApiExecution[] }>('GET', `/executions?workflowId=${wfId}${status ? `&status=${status}` : ''}`);
							id ??= list.data.map((e) => String(e.id)).find((x) => !before.has(x));
						}
					}
					if (id) {
						const e = await n8n.api<ApiExecution>('GET', `/executions/${id}`);
						if (seen[seen.length - 1] !== e.status) seen.push(e.status);
					}
					if (!seen.includes('waiting')) await sleep(200);
				}
				// Seeing "waiting" through the API is best effort (n8n 1.x lists waiting webhook executions
				// unreliably, and the poll can miss a short wait). The proof that the execution was parked is
				// below: n8n answered the provider's callback to /webhook-waiting/<id> with 200, which it does only
				// for an execution that is waiting.
				const sawWaiting = seen.includes('waiting');
				const exec = await n8n.waitForExecution(wfId, 60_000, before);
				c.ok(exec.data, 'no execution data');
				c.eq(exec.status, 'success', `execution ${exec.id} status${runError(exec.data) ? `; error: ${runError(exec.data)}` : ''}`);
				c.eq(exec.mode, 'webhook', 'execution mode');
				const submitted = json(outputOf(exec.data, 'Submit')[0]);
				const status = outputOf(exec.data, 'Get Status')[0];
				c.eq(json(status).taskId, submitted.taskId, 'Get Status task id');
				c.eq(json(status).status, 'completed', 'Get Status status');
				c.eq(status.binary?.data?.mimeType, 'video/mp4', 'Get Status binary mimeType');
				const cb = emu.callbacks.filter((x) => x.taskId === submitted.taskId);
				c.eq(cb.length, 1, 'callbacks sent for the task');
				c.ok(cb[0].url.startsWith(`${n8n.baseUrl}/webhook-waiting/${exec.id}`), `callback URL ${cb[0].url}`);
				c.eq(cb[0].result, 200, `n8n's answer to the callback`);
				return `${sawWaiting ? 'waiting' : 'parked (answered callback)'} → callback ${cb[0].url.replace(n8n.baseUrl, '').replace(/signature=\w+/, 'signature=…')} → ${String(json(status).status)}, ${status.binary?.data?.mimeType}`;
			});
		}

		if (model) {
			await agentScenarios({
				label,
				emu,
				model,
				execute: async (id) => {
					const { run, cli } = await n8n.execute(id);
					return { run, seconds: cli.seconds };
				},
				scenario: (target, name, fn) => results.scenario(name, fn, target),
				check: (where) => new Check(where),
			});
		}

		await scenario('emulator invariants', async () => {
			const c: Check = new Check('emulator');
			const s = emu.stats();
			c.eq(s.duplicateSubmits, 0, 'duplicate submits');
			c.eq(s.fileRequestsWithAuthorization, 0, 'file downloads that carried the provider key');
			const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
			return `${sum(s.submitsAccepted)} submits, ${sum(s.statusRequests)} status reads, ${s.callbacksSent} callbacks, ${s.fileRequests} downloads`;
		});
	} finally {
		await started.stop();
		await model?.close();
	}
}

async function main(): Promise<void> {
	const wanted = only('E2E_ONLY');
	const targets = TARGETS.filter((x) => !wanted || wanted.includes(x.label));
	if (!targets.length) throw new Error(`--only ${wanted?.join(',')}: no such target (${TARGETS.map((x) => x.label).join(', ')})`);
	mkdirSync(CACHE, { recursive: true });
	log(`e2e: ${PKG.name}@${PKG.version} on ${targets.map((x) => `${x.label} (n8n ${x.version}, ${x.node === 'node24' ? 'Node 24' : `Node ${process.versions.node}`})`).join(', ')}; cache ${CACHE}`);

	let t = Date.now();
	const { installs, fresh, total } = await ensureTargets(targets);
	log(`install: ${fresh ? `installed ${fresh} of ${total}` : 'all reused'} (${secs(t)})`);

	t = Date.now();
	const tarball = packageTarball(flag('skip-build'));
	log(`build + pack: ${tarball.replace(`${ROOT}/`, '')} (${secs(t)})`);

	const emu = await startEmulator({ jobMs: 1500 });
	try {
		for (let i = 0; i < targets.length; i++) {
			const r = installs[i];
			const label = targets[i].label;
			t = Date.now();
			if (r.status === 'rejected') {
				results.fail('install', String((r.reason as Error).message ?? r.reason), { target: label, heading: `install n8n ${targets[i].version}` });
				continue;
			}
			try {
				await suite(r.value, emu, tarball);
			} catch (e) {
				results.fail('setup', (e as Error).message, { target: label, print: String((e as Error).stack) });
			}
			log(`  ${label}: suite ${secs(t)}`);
		}
	} finally {
		await emu.close();
	}
	results.finish('e2e', join(CACHE, 'results.json'));
}

stopOnSignals(log);
runMain(main);

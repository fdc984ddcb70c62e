// The workflows this suite imports into n8n: the README's examples (placeholders replaced with emulator
// URLs and credential ids) and the scenario workflows; credentials and builders are ../e2e-shared's.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Emulator, ProviderId } from '../emulator';
import { callbackWorkflow, code, credId, credName, CREDENTIAL_TYPES, kling, manual, media, node, NODE_TYPE, noOp, readBinaries, ROOT, uuid, wf } from '../e2e-shared';
import type { Workflow } from '../e2e-shared';

// ---------- the README's examples ----------

export interface Example {
	file: string;
	workflow: Workflow;
}

/**
 * Every `examples/*.json`, made runnable against the emulator: each `https://example.com/…` URL becomes
 * an emulator media URL (images get the `faults` for that file), each credential `REPLACE_ME` becomes
 * the imported emulator credential of the same type. Anything else left unreplaced is an error.
 */
export function examples(emu: Emulator, faults: Record<string, Record<string, string>>): Example[] {
	const m = media(emu);
	const dir = join(ROOT, 'examples');
	const byType = Object.fromEntries(Object.entries(CREDENTIAL_TYPES).map(([p, t]) => [t, p as ProviderId]));
	return readdirSync(dir)
		// ai-agent-tool.json needs a chat model: scenario 6 (agent.ts) runs it against the fake model
		.filter((f) => f.endsWith('.json') && f !== 'ai-agent-tool.json')
		.sort()
		.map((file, i) => {
			const raw = readFileSync(join(dir, file), 'utf8');
			const fileFaults = faults[file] ?? {};
			const replaced = raw.replace(/https?:\/\/example\.com\/([\w./-]+)/g, (_url, path: string) => {
				const base = path.split('/').pop() ?? path;
				if (/\.(mp4|mov)$/i.test(base)) return m.video(5);
				if (/\.(png|jpe?g|webp)$/i.test(base)) return m.image(fileFaults[base] ?? '');
				throw new Error(`${file}: placeholder URL ${_url} is neither an image nor a video`);
			});
			const json = JSON.parse(replaced) as Omit<Workflow, 'id' | 'active'> & { id?: string };
			for (const n of json.nodes) {
				for (const [type, ref] of Object.entries(n.credentials ?? {})) {
					const provider = byType[type];
					if (!provider) throw new Error(`${file}: node "${n.name}" uses credential type "${type}", which the package does not define`);
					if (n.type === NODE_TYPE && n.parameters.authentication !== provider)
						throw new Error(`${file}: node "${n.name}" has authentication "${String(n.parameters.authentication)}" but a ${type} credential`);
					ref.id = credId(provider);
					ref.name = credName(provider);
				}
			}
			const left = JSON.stringify(json).match(/REPLACE_ME|example\.com/);
			if (left) throw new Error(`${file}: placeholder "${left[0]}" left after replacement`);
			return { file, workflow: { ...json, id: `e2e-example-${i + 1}`, name: `example: ${json.name}`, active: false, settings: json.settings ?? {} } };
		});
}

// ---------- scenario workflows ----------

export const IDS = {
	download: 'e2e-download-check',
	waitNode: 'e2e-submit-wait-node',
	errorOutput: 'e2e-error-output',
} as const;
export const callbackWorkflowId = (p: ProviderId): string => `e2e-callback-${p}`;
export const providerWorkflowId = (p: ProviderId): string => `e2e-submit-and-wait-${p}`;

/** Providers whose Submit and Wait runs in its own scenario (the others run in the examples and scenarios 2-5). */
export const PER_PROVIDER_SUBMIT_AND_WAIT: readonly ProviderId[] = ['kie', 'novita'];

/** (6) Submit and Wait with Download Video through one provider: its credential, protocol and output in real n8n. */
export function providerSubmitAndWait(emu: Emulator, provider: ProviderId): Workflow {
	const m = media(emu);
	return wf(
		providerWorkflowId(provider),
		`submit and wait through ${provider}, download`,
		[
			manual(),
			kling('Kling Motion Control', provider, {
				operation: 'submitAndWait',
				imageUrl: m.image(`row=saw-${provider}`),
				videoUrl: m.video(5),
				characterOrientation: 'image',
				quality: 'pro',
				prompt: 'The character dances',
				options: { downloadVideo: true, pollInterval: 1, timeout: 2 },
			}),
		],
		[['Start', 'Kling Motion Control']],
	);
}
export const callbackPath = (p: ProviderId): string => `kling-e2e-callback-${p}`;

/** (2) Submit and Wait with Download Video → a Code node that checks each binary's bytes and MIME type. */
export function downloadCheck(emu: Emulator, sizes: number[]): Workflow {
	const m = media(emu);
	const rows = sizes.map((bytes, i) => ({ image: m.image(`emu_bytes=${bytes}&row=${i}`), video: m.video(5) }));
	const check = `
  if (meta.mimeType !== 'video/mp4') throw new Error('item ' + i + ': mimeType ' + meta.mimeType);
  if (magic !== 'ftyp') throw new Error('item ' + i + ': not an MP4 (bytes 4-8: ' + magic + ')');`;
	return wf(
		IDS.download,
		'e2e: submit and wait, download, check the binary',
		[
			manual(),
			code('Rows', `return ${JSON.stringify(rows.map((json) => ({ json })))};`),
			kling('Kling Motion Control', 'replicate', {
				operation: 'submitAndWait',
				imageUrl: '={{ $json.image }}',
				videoUrl: '={{ $json.video }}',
				characterOrientation: 'image',
				quality: 'standard',
				options: { downloadVideo: true, pollInterval: 1, timeout: 2 },
			}),
			readBinaries('Check binary', check),
		],
		[
			['Start', 'Rows'],
			['Rows', 'Kling Motion Control'],
			['Kling Motion Control', 'Check binary'],
		],
	);
}

/** (3) Submit → n8n's Wait node (a few seconds) → Wait for Completion. */
export function submitWaitNode(emu: Emulator, jobMs: number, waitSeconds: number): Workflow {
	const m = media(emu);
	return wf(
		IDS.waitNode,
		'e2e: submit, Wait node, wait for completion',
		[
			manual(),
			kling('Submit', 'kling', {
				operation: 'submit',
				imageUrl: m.image(`emu_ms=${jobMs}`),
				videoUrl: m.video(5),
				characterOrientation: 'image',
				quality: 'pro',
				prompt: 'The character dances',
			}),
			node('Wait', 'n8n-nodes-base.wait', 1.1, { resume: 'timeInterval', amount: waitSeconds, unit: 'seconds' }, { webhookId: uuid() }),
			kling('Wait for Completion', 'kling', { operation: 'waitForCompletion', taskId: '={{ $json.taskId }}', options: { pollInterval: 1, timeout: 2 } }),
		],
		[
			['Start', 'Submit'],
			['Submit', 'Wait'],
			['Wait', 'Wait for Completion'],
		],
	);
}

/** (4) One good and one failing task under "Continue (using error output)". */
export function errorOutput(emu: Emulator, failMessage: string): Workflow {
	const m = media(emu);
	const rows = [
		{ image: m.image('row=good'), video: m.video(5) },
		{ image: m.image(`row=bad&emu=fail&emu_fail=${encodeURIComponent(failMessage)}`), video: m.video(5) },
	];
	return wf(
		IDS.errorOutput,
		'e2e: failed task on the error output',
		[
			manual(),
			code('Rows', `return ${JSON.stringify(rows.map((json) => ({ json })))};`),
			kling(
				'Kling Motion Control',
				'fal',
				{
					operation: 'submitAndWait',
					imageUrl: '={{ $json.image }}',
					videoUrl: '={{ $json.video }}',
					characterOrientation: 'image',
					quality: 'standard',
					options: { pollInterval: 1, timeout: 2 },
				},
				{ onError: 'continueErrorOutput' },
			),
			noOp('Succeeded'),
			noOp('Failed'),
		],
		[
			['Start', 'Rows'],
			['Rows', 'Kling Motion Control'],
			['Kling Motion Control', 'Succeeded', 0],
			['Kling Motion Control', 'Failed', 1],
		],
	);
}

/** (5) Webhook trigger → Submit with callbackUrl = resumeUrl → Wait "On Webhook Call" → Get Status. */
export function callbackServer(provider: ProviderId): Workflow {
	return callbackWorkflow({
		id: callbackWorkflowId(provider),
		name: `e2e: webhook, submit with callback (${provider}), wait for the callback, get status`,
		path: callbackPath(provider),
		provider,
		waitMinutes: 10,
	});
}

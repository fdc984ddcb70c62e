// The workflows the browser suite opens: one Kling Motion Control node per provider (set up as a user
// would: URLs of the emulator's media, Download Video on) and one whose task fails, on the error branch.
import type { Emulator, ProviderId } from '../emulator';
import { PROVIDER_IDS } from '../emulator';
import type { Workflow } from '../e2e-shared';
import { CREDENTIAL_TYPES, credId, credName, media } from '../e2e-shared';

export const NODE_TYPE = 'n8n-nodes-kling-motion-control.klingMotionControl';
export const NODE_NAME = 'Kling Motion Control';
export const providerWorkflowId = (p: ProviderId): string => `browser-${p.toLowerCase()}`;
export const ERROR_WORKFLOW_ID = 'browser-error-branch';
/** Submit and Wait with Download Video on Replicate: the run whose video the binary view shows. */
export const RUN_WORKFLOW_ID = 'browser-run';
export const RUN_PROVIDER: ProviderId = 'replicate';
/** A fal.ai node that only the provider-switch step opens (n8n saves the edits the other steps make). */
export const SWITCH_WORKFLOW_ID = 'browser-switch';
export const FAIL_MESSAGE = 'E2E: the model refused this character';
/** A credential of each provider whose key the emulator refuses. */
export const wrongCredId = (p: ProviderId): string => `browser-wrong-${p.toLowerCase()}`;
export const wrongCredName = (p: ProviderId): string => `${p} (wrong key)`;

let seq = 0;
const uuid = (): string => `00000000-0000-4000-9000-${String(++seq).padStart(12, '0')}`;

function kling(provider: ProviderId, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}): Workflow['nodes'][number] {
	return {
		id: uuid(),
		name: NODE_NAME,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [260, 0],
		parameters: { authentication: provider, ...parameters },
		credentials: { [CREDENTIAL_TYPES[provider]]: { id: credId(provider), name: credName(provider) } },
		...extra,
	};
}

const start = (): Workflow['nodes'][number] => ({ id: uuid(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} });
const noOp = (name: string, y: number): Workflow['nodes'][number] => ({ id: uuid(), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [560, y], parameters: {} });

export function browserWorkflows(emu: Emulator): Workflow[] {
	const m = media(emu);
	const perProvider = PROVIDER_IDS.map(
		(p): Workflow => ({
			id: providerWorkflowId(p),
			name: `Kling on ${p}`,
			active: false,
			nodes: [
				start(),
				kling(p, {
					operation: 'submitAndWait',
					imageUrl: m.image(),
					videoUrl: m.video(5),
					characterOrientation: 'image',
					quality: p === 'oxen' ? 'pro' : 'standard',
					prompt: 'The character dances on a stage',
					options: {},
				}),
			],
			connections: { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		}),
	);
	const switching: Workflow = { ...perProvider.find((w) => w.id === providerWorkflowId('fal'))!, id: SWITCH_WORKFLOW_ID, name: 'Kling provider switch' };
	const run: Workflow = {
		id: RUN_WORKFLOW_ID,
		name: 'Kling run with the video',
		active: false,
		nodes: [
			start(),
			kling(RUN_PROVIDER, {
				operation: 'submitAndWait',
				imageUrl: m.image(),
				videoUrl: m.video(5),
				characterOrientation: 'image',
				quality: 'standard',
				options: { downloadVideo: true, pollInterval: 1 },
			}),
		],
		connections: { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
	const failing: Workflow = {
		id: ERROR_WORKFLOW_ID,
		name: 'Kling error branch',
		active: false,
		nodes: [
			start(),
			kling(
				'fal',
				{
					operation: 'submitAndWait',
					imageUrl: m.image(`emu=fail&emu_fail=${encodeURIComponent(FAIL_MESSAGE)}`),
					videoUrl: m.video(5),
					characterOrientation: 'image',
					quality: 'standard',
					options: { pollInterval: 1 },
				},
				{ onError: 'continueErrorOutput' },
			),
			noOp('Succeeded', -100),
			noOp('Failed', 100),
		],
		connections: {
			Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] },
			[NODE_NAME]: { main: [[{ node: 'Succeeded', type: 'main', index: 0 }], [{ node: 'Failed', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
	return [...perProvider, switching, run, failing];
}

/** One credential per provider with a key the emulator refuses (the credential test must fail). */
export function wrongCredentials(emu: Emulator): unknown[] {
	return PROVIDER_IDS.map((p) => {
		const data: Record<string, string> = p === 'kling' ? { accessKey: 'wrong-access-key', secretKey: 'wrong-secret-key' } : { apiKey: 'wrong-key' };
		data.baseUrl = emu.baseUrl(p);
		if (p === 'fal') data.storageBaseUrl = emu.falStorageBaseUrl;
		return { id: wrongCredId(p), name: wrongCredName(p), type: CREDENTIAL_TYPES[p], data };
	});
}

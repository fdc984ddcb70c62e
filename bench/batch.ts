/** What the benchmarks share: the emulator in its own process, and the batch they run through the node. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { ProviderId } from '../nodes/KlingMotionControl/providers/types';
import { runKlingWith } from '../test/harness/kling';

export interface EmulatorInfo {
	url: string;
	cdnUrl: string;
	falStorageBaseUrl: string;
}

/** Starts bench/emulator-child.ts (so the benchmark's CPU and memory figures are the node's alone). */
export async function forkEmulator(env: Record<string, string>): Promise<{ child: ChildProcess; info: EmulatorInfo }> {
	const child = fork(path.join(__dirname, 'emulator-child.ts'), [], {
		execArgv: ['-r', 'ts-node/register/transpile-only'],
		env: { ...process.env, ...env },
	});
	const info = await new Promise<EmulatorInfo>((resolve) => child.once('message', (message: { result: never }) => resolve(message.result)));
	return { child, info };
}

/**
 * The benchmarks' batch: Submit and Wait for `count` items, each its own character image (by
 * expression, as a workflow feeds it), all one 5 s portrait clip.
 */
export async function runBatch(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	provider: ProviderId,
	cdnUrl: string,
	count: number,
	tag: string,
	options: IDataObject,
) {
	return await runKlingWith(credentials, {
		provider,
		parameters: {
			operation: 'submitAndWait',
			imageUrl: '={{ $json.image }}',
			videoUrl: `${cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280`,
			characterOrientation: 'image',
			quality: 'pro',
			prompt: 'dance',
			options: { timeout: 10, concurrency: Math.max(count, 1), ...options },
		},
		input: Array.from({ length: count }, (_, index) => ({ json: { image: `${cdnUrl}/media/char.png?${tag}=${index}` } })),
	});
}

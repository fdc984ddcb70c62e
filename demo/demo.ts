/**
 * `npm run demo`: the main job, end to end, through n8n's own execution engine.
 *
 * Without keys it starts the bundled provider emulator and runs a batch of three items through
 * Kling Motion Control (Submit and Wait for Completion, Download Video on), prints the output items
 * and saves the videos under ./demo-output/.
 *
 * Against a real provider (this spends money):
 *   KLING_MC_PROVIDER=fal KLING_MC_API_KEY=... \
 *   KLING_MC_IMAGE_URL=https://.../character.png KLING_MC_VIDEO_URL=https://.../dance.mp4 npm run demo
 * Kling official API: KLING_MC_ACCESS_KEY and KLING_MC_SECRET_KEY instead of KLING_MC_API_KEY.
 * Optional: KLING_MC_BASE_URL, KLING_MC_QUALITY (standard|pro), KLING_MC_ORIENTATION (image|video),
 * KLING_MC_PROMPT, KLING_MC_TIMEOUT_MINUTES.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/KlingMotionControl/providers';
import type { ProviderId } from '../nodes/KlingMotionControl/providers/types';
import { startEmulator, type Emulator } from '../test/emulator';
import { binaryService } from '../test/harness/n8n';
import { credentialsFor, runKlingWith } from '../test/harness/kling';

const env = process.env;
const outDir = path.resolve(env.KLING_MC_OUTPUT_DIR ?? 'demo-output');

function redact(value: unknown): unknown {
	return JSON.parse(JSON.stringify(value, (key, v) => (key === 'providerResponse' ? '[provider response omitted]' : v)));
}

async function main() {
	const provider = (env.KLING_MC_PROVIDER ?? 'fal') as ProviderId;
	if (!PROVIDERS[provider]) throw new Error(`KLING_MC_PROVIDER must be one of ${Object.keys(PROVIDERS).join(', ')}`);
	const live = Boolean(env.KLING_MC_API_KEY || env.KLING_MC_ACCESS_KEY);
	let emu: Emulator | undefined;
	let credentials: Record<string, ICredentialDataDecryptedObject>;
	let inputs: IDataObject[];
	if (live) {
		const type = PROVIDERS[provider].credentialType;
		const data: IDataObject =
			provider === 'kling'
				? { accessKey: env.KLING_MC_ACCESS_KEY, secretKey: env.KLING_MC_SECRET_KEY }
				: { apiKey: env.KLING_MC_API_KEY };
		const credentialType = (await import('../test/harness/kling')).credentialTypes[type];
		for (const property of credentialType.properties) {
			if (data[property.name] === undefined) data[property.name] = property.default as string;
		}
		if (env.KLING_MC_BASE_URL) data.baseUrl = env.KLING_MC_BASE_URL;
		credentials = { [type]: data as ICredentialDataDecryptedObject };
		if (!env.KLING_MC_IMAGE_URL || !env.KLING_MC_VIDEO_URL) {
			throw new Error('Set KLING_MC_IMAGE_URL and KLING_MC_VIDEO_URL (public http(s) links) for a live run');
		}
		inputs = [{ image: env.KLING_MC_IMAGE_URL, video: env.KLING_MC_VIDEO_URL }];
		console.log(`Live run against ${PROVIDERS[provider].displayName}: this creates a paid task.`);
	} else {
		emu = await startEmulator({ jobMs: 2000 });
		credentials = credentialsFor(emu, provider);
		inputs = ['alice', 'bob', 'carol'].map((name) => ({
			image: `${emu!.cdnUrl}/media/char.png?w=720&h=1280&name=${name}`,
			video: `${emu!.cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280`,
		}));
		console.log(`No key given: using the provider emulator (${PROVIDERS[provider].displayName} protocol at ${emu.baseUrl(provider)}).`);
	}

	const started = Date.now();
	const result = await runKlingWith(credentials, {
		provider,
		parameters: {
			operation: 'submitAndWait',
			imageUrl: '={{ $json.image }}',
			videoUrl: '={{ $json.video }}',
			characterOrientation: env.KLING_MC_ORIENTATION ?? 'image',
			quality: env.KLING_MC_QUALITY ?? (provider === 'oxen' ? 'pro' : 'standard'),
			prompt: env.KLING_MC_PROMPT ?? 'The character dances, smooth and natural',
			options: {
				downloadVideo: true,
				pollInterval: live ? 10 : 0.5,
				timeout: Number(env.KLING_MC_TIMEOUT_MINUTES ?? 30),
			},
		},
		input: inputs.map((json) => ({ json })),
		onError: 'continueRegularOutput',
		// The built package, exactly as n8n loads it from dist/.
		nodeType: new (require(path.resolve('dist/nodes/KlingMotionControl/KlingMotionControl.node.js')).KlingMotionControl)(),
	});
	const seconds = ((Date.now() - started) / 1000).toFixed(1);

	fs.mkdirSync(outDir, { recursive: true });
	console.log(`\nWorkflow status: ${result.status}; ${result.items.length} output item(s) in ${seconds} s\n`);
	for (const item of result.items) {
		console.log(JSON.stringify(redact({ json: item.json, binary: item.binary, pairedItem: item.pairedItem }), null, 2));
		const binary = item.binary?.data;
		if (binary?.id) {
			const file = path.join(outDir, binary.fileName ?? `${String(item.json.taskId)}.mp4`);
			await pipeline(await binaryService().getAsStream(binary.id), fs.createWriteStream(file));
			console.log(`saved ${file} (${fs.statSync(file).size} bytes)\n`);
		}
	}
	if (result.error) console.log(`Error: ${result.error.message}`);
	console.log(`Videos are in ${outDir}`);
	await emu?.close();
	const failed = result.status !== 'success' || result.items.some((item) => item.json.error);
	process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});

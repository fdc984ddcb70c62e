// Documented limits per provider: each broken limit is one clear problem naming the value and the limit.
import { checkClip, checkImage } from '../../nodes/KlingMotionControl/preflight/limits';
import { PROVIDERS } from '../../nodes/KlingMotionControl/providers';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

// The adapter owns its limits: checks take them from it.
const P = (id: ProviderId) => PROVIDERS[id];
const ALL = Object.keys(PROVIDERS) as ProviderId[];
const ok = { durationSeconds: 5, width: 720, height: 1280, fileSize: 5_000_000 };

describe('checkClip', () => {
	test('a 5 s 720×1280 5 MB clip passes everywhere, in both orientations', () => {
		for (const p of ALL) for (const o of ['image', 'video'] as const) expect(checkClip(P(p), o, ok)).toEqual([]);
	});

	test('too long for orientation image', () => {
		expect(checkClip(P('waveSpeed'), 'image', { durationSeconds: 12.5 }).map((p) => p.message)).toEqual([
			'The motion video is 12.5 s long; with Character Orientation "image" WaveSpeedAI accepts at most 10 s: trim the clip or use orientation "video" (up to 30 s)',
		]);
		expect(checkClip(P('waveSpeed'), 'image', { durationSeconds: 45.2 })[0].message).toBe(
			'The motion video is 45.2 s long; with Character Orientation "image" WaveSpeedAI accepts at most 10 s: trim it to 10 s, or to 30 s with orientation "video"',
		);
		expect(checkClip(P('fal'), 'video', { durationSeconds: 45.2 })[0]).toMatchObject({
			field: 'videoUrl',
			code: 'tooLong',
			message: 'The motion video is 45.2 s long; with Character Orientation "video" fal.ai accepts at most 30 s: trim it to 30 s',
			inferred: false,
		});
		// 10.04 s must not print as "10.0 s" beside a 10 s limit.
		expect(checkClip(P('kling'), 'image', { durationSeconds: 10.04 })[0].message).toContain('10.04 s long');
		expect(checkClip(P('kling'), 'image', { durationSeconds: 10 })).toEqual([]);
		for (const p of ALL) expect(checkClip(P(p), 'video', { durationSeconds: 30.5 })).toHaveLength(1);
	});

	test('too short everywhere; [I] where only the upstream Kling model documents it', () => {
		expect(checkClip(P('evoLink'), 'image', { durationSeconds: 2.4 })[0]).toMatchObject({
			code: 'tooShort',
			message: 'The motion video is 2.4 s long; EvoLink needs at least 3 s: use a longer clip',
			source: 'https://evolink.ai/kling-v3-motion-control',
			inferred: false,
		});
		expect(checkClip(P('replicate'), 'video', { durationSeconds: 1 })[0]).toMatchObject({ code: 'tooShort', inferred: true });
		for (const p of ALL) expect(checkClip(P(p), 'image', { durationSeconds: 2.99 })).toHaveLength(1);
	});

	test('pixel, file-size and aspect limits where documented', () => {
		expect(checkClip(P('waveSpeed'), 'image', { ...ok, width: 240, height: 320 }).map((p) => p.message)).toEqual([
			'The motion video is 240×320 px; WaveSpeedAI needs at least 300 px on each side: use a larger one',
		]);
		expect(checkClip(P('evoLink'), 'image', { ...ok, width: 320, height: 568 })[0].message).toBe(
			'The motion video is 320×568 px; EvoLink needs at least 340 px on each side: use a larger one',
		);
		expect(checkClip(P('kling'), 'video', { ...ok, width: 4096, height: 2160 })[0]).toMatchObject({ code: 'tooLarge', message: expect.stringContaining('at most 3850 px') });
		expect(checkClip(P('waveSpeed'), 'video', { ...ok, fileSize: 25 * 1024 * 1024 })[0].message).toBe(
			'The motion video is 25 MB; WaveSpeedAI accepts at most 10 MB: compress it',
		);
		expect(checkClip(P('replicate'), 'video', { ...ok, fileSize: 150 * 1024 * 1024 })[0].code).toBe('fileTooLarge');
		expect(checkClip(P('waveSpeed'), 'video', { ...ok, width: 1280, height: 400 })[0].message).toBe(
			'The motion video is 1280×400 px (3.2:1); WaveSpeedAI accepts aspect ratios from 1:2.5 to 2.5:1: crop it',
		);
		// Undocumented there: not refused.
		expect(checkClip(P('fal'), 'image', { ...ok, width: 200, height: 200, fileSize: 500 * 1024 * 1024 })).toEqual([]);
	});

	test('Kie.ai and Novita AI: their own documented limits', () => {
		// Novita: video ≤ 10 MB and ≥ 300 px on each side; Kie: video ≤ 100 MB.
		expect(checkClip(P('novita'), 'video', { ...ok, fileSize: 12 * 1024 * 1024 })[0]).toMatchObject({
			code: 'fileTooLarge',
			message: 'The motion video is 12 MB; Novita AI accepts at most 10 MB: compress it',
			source: 'https://novita.ai/docs/api-reference/model-apis-kling-v3.0-motion-control',
			inferred: false,
		});
		expect(checkClip(P('novita'), 'image', { ...ok, width: 280, height: 500 })[0].code).toBe('tooSmall');
		expect(checkClip(P('kie'), 'video', { ...ok, fileSize: 12 * 1024 * 1024 })).toEqual([]);
		expect(checkClip(P('kie'), 'video', { ...ok, fileSize: 120 * 1024 * 1024 })[0].code).toBe('fileTooLarge');
		expect(checkClip(P('kie'), 'image', { durationSeconds: 2 })[0]).toMatchObject({ code: 'tooShort', inferred: false });
		expect(checkImage(P('kie'), { type: 'webp', width: 768, height: 1024 })[0].message).toBe(
			'The character image is a WebP file; Kie.ai accepts JPG or PNG: convert it',
		);
		expect(checkImage(P('novita'), { type: 'png', width: 299, height: 1000, fileSize: 11 * 1024 * 1024 }).map((p) => p.code)).toEqual([
			'tooSmall',
			'aspectRatio',
			'fileTooLarge',
		]);
	});

	test('several problems at once, unknown values are skipped', () => {
		expect(checkClip(P('waveSpeed'), 'image', { durationSeconds: 45, width: 200, height: 200, fileSize: 20e6 }).map((p) => p.code)).toEqual(['tooLong', 'tooSmall', 'fileTooLarge']);
		expect(checkClip(P('waveSpeed'), 'image', {})).toEqual([]);
	});

	test('every limit names its source', () => {
		for (const p of ALL) {
			const { video, image } = PROVIDERS[p].limits;
			for (const limit of [...Object.values(video), ...Object.values(image)] as Array<{ source: string }>) expect(limit.source).toMatch(/^https:\/\//);
		}
	});
});

describe('checkImage', () => {
	test('type, size and aspect', () => {
		expect(checkImage(P('waveSpeed'), { type: 'webp', width: 768, height: 1024 }).map((p) => p.message)).toEqual([
			'The character image is a WebP file; WaveSpeedAI accepts JPG or PNG: convert it',
		]);
		expect(checkImage(P('prospolabs'), { type: 'webp', width: 768, height: 1024 })).toEqual([]);
		expect(checkImage(P('kling'), { type: 'heic' })[0].code).toBe('imageType');
		expect(checkImage(P('evoLink'), { type: 'png', width: 200, height: 1000, fileSize: 12 * 1024 * 1024 }).map((p) => p.code)).toEqual(['tooSmall', 'aspectRatio', 'fileTooLarge']);
		expect(checkImage(P('fal'), { type: 'gif', width: 10, height: 10 })).toEqual([]);
	});
});

// Each provider's documented input limits (../shared/providers.md and the provider pages cited),
// checked before any paid call. Only limits a provider (or, for the 3 s minimum, the Kling model it
// resells) documents are here; `inferred: true` marks the ones taken from the upstream model [I].
import type { Orientation, ProviderId } from '../providers/types';
import type { ImageType } from './mp4';

export interface Documented<T> {
	value: T;
	/** Where it is written: a URL, or the seed page the product was specified from. */
	source: string;
	/** [I]: not on the provider's own page; taken from the Kling model it resells. */
	inferred?: boolean;
}

export interface MediaLimits {
	minSidePx?: Documented<number>;
	maxSidePx?: Documented<number>;
	maxBytes?: Documented<number>;
	/** width/height must lie within [1/maxAspect, maxAspect]; all providers that say it write "1:2.5 to 2.5:1". */
	maxAspect?: Documented<number>;
}

export interface VideoLimits extends MediaLimits {
	minSeconds: Documented<number>;
	maxSeconds: Documented<Record<Orientation, number>>;
}

export interface ImageLimits extends MediaLimits {
	types?: Documented<ImageType[]>;
}

export interface ProviderLimits {
	name: string;
	video: VideoLimits;
	image: ImageLimits;
}

// "10 MB" is read as MiB: the larger reading never refuses a file the provider takes.
const MB = 1024 * 1024;

const SRC = {
	aiHubMax: 'https://docs.aihubmax.com/pages/en/api-manual/video-series/kling/kling-v3-motion-control',
	evoLink: 'https://evolink.ai/kling-v3-motion-control',
	fal: 'https://fal.ai/models/fal-ai/kling-video/v3/pro/motion-control/api',
	kling: 'https://app.klingai.com/global/dev/document-api',
	oxen: 'https://docs.oxen.ai/inference-api/reference/models/kling-video-v3-pro-motion-control',
	prospolabs: 'https://prospolabs.com/models/kling/kling-3-motion-control',
	replicate: 'https://replicate.com/kwaivgi/kling-v3-motion-control/api',
	waveSpeed: 'https://wavespeed.ai/models/kwaivgi/kling-v3.0-pro/motion-control',
} as const;

/**
 * Every provider passes the clip to Kling, which documents a 3 s minimum (Kling, EvoLink). [I] for the
 * others; WaveSpeed only documents "minimum billing 3 s", so a shorter clip might pass there, billed 3 s.
 */
function minSeconds(provider: ProviderId): Documented<number> {
	const documented = provider === 'evoLink' || provider === 'kling';
	return documented ? { value: 3, source: SRC[provider] } : { value: 3, source: SRC.kling, inferred: true };
}

/** 10 s with orientation image, 30 s with video: on every provider's page. */
function maxSeconds(provider: ProviderId): Documented<Record<Orientation, number>> {
	return { value: { image: 10, video: 30 }, source: SRC[provider] };
}

function video(provider: ProviderId, extra: MediaLimits = {}): VideoLimits {
	return { minSeconds: minSeconds(provider), maxSeconds: maxSeconds(provider), ...extra };
}

// Kling's own video/image rules, which EvoLink republishes word for word.
function klingRules(provider: 'evoLink' | 'kling'): Pick<ProviderLimits, 'video' | 'image'> {
	const at = <T>(value: T): Documented<T> => ({ value, source: SRC[provider] });
	return {
		video: video(provider, { minSidePx: at(340), maxSidePx: at(3850), maxBytes: at(100 * MB) }),
		image: { types: at<ImageType[]>(['jpeg', 'png']), minSidePx: at(300), maxSidePx: at(65536), maxBytes: at(10 * MB), maxAspect: at(2.5) },
	};
}

export const PROVIDER_LIMITS: Record<ProviderId, ProviderLimits> = {
	aiHubMax: { name: 'AIHubMax', video: video('aiHubMax'), image: { types: { value: ['jpeg', 'png'], source: SRC.aiHubMax } } },
	evoLink: { name: 'EvoLink', ...klingRules('evoLink') },
	fal: { name: 'fal.ai', video: video('fal'), image: {} },
	kling: { name: 'Kling AI (official API)', ...klingRules('kling') },
	oxen: { name: 'Oxen.ai', video: video('oxen'), image: {} },
	prospolabs: { name: 'Prospolabs', video: video('prospolabs'), image: { types: { value: ['jpeg', 'png', 'webp'], source: SRC.prospolabs } } },
	replicate: { name: 'Replicate', video: video('replicate', { maxBytes: { value: 100 * MB, source: SRC.replicate } }), image: {} },
	waveSpeed: {
		name: 'WaveSpeedAI',
		video: video('waveSpeed', {
			minSidePx: { value: 300, source: SRC.waveSpeed },
			maxBytes: { value: 10 * MB, source: SRC.waveSpeed },
			maxAspect: { value: 2.5, source: SRC.waveSpeed },
		}),
		image: {
			types: { value: ['jpeg', 'png'], source: SRC.waveSpeed },
			minSidePx: { value: 300, source: SRC.waveSpeed },
			maxBytes: { value: 10 * MB, source: SRC.waveSpeed },
			maxAspect: { value: 2.5, source: SRC.waveSpeed },
		},
	},
};

export interface ClipInfo {
	durationSeconds?: number;
	width?: number;
	height?: number;
	fileSize?: number;
}

export interface ImageInfo {
	type?: ImageType;
	width?: number;
	height?: number;
	fileSize?: number;
}

export interface LimitProblem {
	/** The node parameter the problem is about. */
	field: 'videoUrl' | 'imageUrl';
	code: 'tooShort' | 'tooLong' | 'tooSmall' | 'tooLarge' | 'fileTooLarge' | 'aspectRatio' | 'imageType';
	/** One sentence naming the value found, the limit, and the fix. */
	message: string;
	source: string;
	inferred: boolean;
}

// Two decimals at most, so 10.04 s never prints as "10.0 s" next to a 10 s limit.
function num(n: number): string {
	return String(Math.round(n * 100) / 100);
}
function mb(bytes: number): string {
	return `${num(bytes / MB)} MB`;
}
const TYPE_LABEL: Record<ImageType, string> = { png: 'PNG', jpeg: 'JPG', webp: 'WebP', gif: 'GIF', heic: 'HEIC', avif: 'AVIF' };

function problem(field: LimitProblem['field'], code: LimitProblem['code'], message: string, limit: Documented<unknown>): LimitProblem {
	return { field, code, message, source: limit.source, inferred: limit.inferred === true };
}

/** Pixel, byte and aspect checks shared by the clip and the image. */
function checkMedia(field: LimitProblem['field'], what: string, name: string, limits: MediaLimits, info: ClipInfo): LimitProblem[] {
	const out: LimitProblem[] = [];
	const { width, height, fileSize } = info;
	if (width !== undefined && height !== undefined) {
		const size = `${width}×${height} px`;
		const { minSidePx, maxSidePx, maxAspect } = limits;
		if (minSidePx && Math.min(width, height) < minSidePx.value) {
			out.push(problem(field, 'tooSmall', `${what} is ${size}; ${name} needs at least ${minSidePx.value} px on each side: use a larger one`, minSidePx));
		}
		if (maxSidePx && Math.max(width, height) > maxSidePx.value) {
			out.push(problem(field, 'tooLarge', `${what} is ${size}; ${name} accepts at most ${maxSidePx.value} px on each side: scale it down`, maxSidePx));
		}
		const aspect = Math.max(width, height) / Math.max(1, Math.min(width, height));
		if (maxAspect && aspect > maxAspect.value) {
			const ratio = width >= height ? `${num(aspect)}:1` : `1:${num(aspect)}`;
			out.push(problem(field, 'aspectRatio', `${what} is ${size} (${ratio}); ${name} accepts aspect ratios from 1:${maxAspect.value} to ${maxAspect.value}:1: crop it`, maxAspect));
		}
	}
	if (fileSize !== undefined && limits.maxBytes && fileSize > limits.maxBytes.value) {
		out.push(problem(field, 'fileTooLarge', `${what} is ${mb(fileSize)}; ${name} accepts at most ${mb(limits.maxBytes.value)}: compress it`, limits.maxBytes));
	}
	return out;
}

/** The motion video against the provider's limits; [] when it passes (or nothing is known). */
export function checkClip(provider: ProviderId, orientation: Orientation, info: ClipInfo): LimitProblem[] {
	const { name, video: limits } = PROVIDER_LIMITS[provider];
	const out: LimitProblem[] = [];
	const seconds = info.durationSeconds;
	if (seconds !== undefined) {
		const max = limits.maxSeconds.value[orientation];
		if (seconds < limits.minSeconds.value) {
			out.push(problem('videoUrl', 'tooShort', `The motion video is ${num(seconds)} s long; ${name} needs at least ${limits.minSeconds.value} s: use a longer clip`, limits.minSeconds));
		} else if (seconds > max) {
			const videoMax = limits.maxSeconds.value.video;
			let fix = `trim it to ${max} s`;
			if (orientation === 'image') {
				fix = seconds <= videoMax ? `trim the clip or use orientation "video" (up to ${videoMax} s)` : `trim it to ${max} s, or to ${videoMax} s with orientation "video"`;
			}
			out.push(problem('videoUrl', 'tooLong', `The motion video is ${num(seconds)} s long; with Character Orientation "${orientation}" ${name} accepts at most ${max} s: ${fix}`, limits.maxSeconds));
		}
	}
	return [...out, ...checkMedia('videoUrl', 'The motion video', name, limits, info)];
}

/** The character image against the provider's limits; [] when it passes (or nothing is known). */
export function checkImage(provider: ProviderId, info: ImageInfo): LimitProblem[] {
	const { name, image: limits } = PROVIDER_LIMITS[provider];
	const out: LimitProblem[] = [];
	if (info.type !== undefined && limits.types && !limits.types.value.includes(info.type)) {
		const labels = limits.types.value.map((t) => TYPE_LABEL[t]);
		const accepted = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}` : labels[0];
		out.push(problem('imageUrl', 'imageType', `The character image is a ${TYPE_LABEL[info.type]} file; ${name} accepts ${accepted}: convert it`, limits.types));
	}
	return [...out, ...checkMedia('imageUrl', 'The character image', name, limits, info)];
}

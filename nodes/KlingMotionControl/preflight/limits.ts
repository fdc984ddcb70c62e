// Documented input limits, checked before any paid call. Each adapter declares its provider's limits
// (with the page they are written on) through the helpers below; only limits a provider (or, for the
// 3 s minimum, the Kling model it resells) documents are declared; `inferred: true` marks the ones
// taken from the upstream model [I].
import type { Orientation } from '../providers/types';
import type { ImageType } from './mp4';
export interface Documented<T> {
	value: T;
	/** Where it is written: the public page's URL. */
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
	video: VideoLimits;
	image: ImageLimits;
}

/** What a check needs: the limits and the provider's name to say them with (an adapter is one). */
export interface LimitSubject {
	displayName: string;
	limits: ProviderLimits;
}

// "10 MB" is read as MiB: the larger reading never refuses a file the provider takes.
export const MB = 1024 * 1024;

/** The Kling model's own documentation: the source of the rules every reseller passes on. */
export const KLING_MODEL_DOC = 'https://app.klingai.com/global/dev/document-api';

/** `at(value)` → the value, documented on `source`. */
export function documentedAt(source: string): <T>(value: T) => Documented<T> {
	return (value) => ({ value, source });
}

/**
 * The clip rules of Kling 3.0 Motion Control as a provider republishes them: 10 s with orientation
 * image, 30 s with video (on every provider's page); the 3 s minimum is Kling's own rule, [I] where the
 * provider's page does not repeat it.
 */
export function motionVideoLimits(source: string, extra: MediaLimits = {}, minSecondsDocumented = false): VideoLimits {
	return {
		minSeconds: minSecondsDocumented ? { value: 3, source } : { value: 3, source: KLING_MODEL_DOC, inferred: true },
		maxSeconds: { value: { image: 10, video: 30 }, source },
		...extra,
	};
}

/** Kling's own video/image rules, which some providers republish word for word. */
export function klingModelRules(source: string): ProviderLimits {
	const at = documentedAt(source);
	return {
		video: motionVideoLimits(source, { minSidePx: at(340), maxSidePx: at(3850), maxBytes: at(100 * MB) }, true),
		image: { types: at<ImageType[]>(['jpeg', 'png']), minSidePx: at(300), maxSidePx: at(65536), maxBytes: at(10 * MB), maxAspect: at(2.5) },
	};
}

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
export function checkClip(subject: LimitSubject, orientation: Orientation, info: ClipInfo): LimitProblem[] {
	const { displayName: name, limits: { video: limits } } = subject;
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
export function checkImage(subject: LimitSubject, info: ImageInfo): LimitProblem[] {
	const { displayName: name, limits: { image: limits } } = subject;
	const out: LimitProblem[] = [];
	if (info.type !== undefined && limits.types && !limits.types.value.includes(info.type)) {
		const labels = limits.types.value.map((t) => TYPE_LABEL[t]);
		const accepted = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}` : labels[0];
		out.push(problem('imageUrl', 'imageType', `The character image is a ${TYPE_LABEL[info.type]} file; ${name} accepts ${accepted}: convert it`, limits.types));
	}
	return [...out, ...checkMedia('imageUrl', 'The character image', name, limits, info)];
}

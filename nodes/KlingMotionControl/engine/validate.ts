import { providerNames } from '../providers';
import type {
	MotionControlRequest,
	OptionalFeature,
	Orientation,
	ProviderAdapter,
	Quality,
} from '../providers/types';
import { inputError, type TaskFailure } from './errors';

export const MAX_PROMPT_LENGTH = 2500;

/** The raw values the node read for one item, before any check. */
export interface RawItemInput {
	imageUrl: unknown;
	videoUrl: unknown;
	characterOrientation: unknown;
	quality: unknown;
	prompt: unknown;
	negativePrompt?: unknown;
	keepOriginalSound?: unknown;
	elementId?: unknown;
	elementFrontalImageUrl?: unknown;
	elementReferenceImageUrls?: unknown;
	watermark?: unknown;
	callbackUrl?: unknown;
}

const FEATURE_LABEL: Record<OptionalFeature, string> = {
	callbackUrl: 'Callback URL (callbackUrl)',
	elementFrontalImageUrl: 'Element Frontal Image URL / Reference Image URLs (face element)',
	elementId: 'Element ID (elementId)',
	negativePrompt: 'Negative Prompt (negativePrompt)',
	watermark: 'Watermark (watermark)',
};

function providersWith(feature: OptionalFeature): string {
	return providerNames((adapter) => adapter.capabilities.features.includes(feature));
}

function text(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	const result = String(value).trim();
	return result === '' ? undefined : result;
}

function httpUrlProblem(value: string): string | undefined {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'is not a valid URL';
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		return `uses "${url.protocol}" — only public http(s) links work`;
	}
	return undefined;
}

function checkUrl(value: unknown, field: string, what: string): string {
	const url = text(value);
	if (!url) {
		throw new InputProblem(
			`${field} is empty: set it to a public http(s) link to ${what}`,
		);
	}
	const problem = httpUrlProblem(url);
	if (problem) {
		throw new InputProblem(`${field} "${url.slice(0, 200)}" ${problem}: set it to a public http(s) link to ${what}`);
	}
	return url;
}

class InputProblem extends Error {}

function referenceUrls(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const list = Array.isArray(value) ? value.map(String) : String(value).split(/[\s,]+/);
	return list.map((entry) => entry.trim()).filter(Boolean);
}

/**
 * Turns one item's parameters into the unified request, or a clear error naming the field and
 * what to do. Runs before anything is sent, so a bad item never costs money.
 */
export function buildRequest(
	adapter: ProviderAdapter,
	raw: RawItemInput,
): { request: MotionControlRequest } | { failure: TaskFailure } {
	try {
		return { request: build(adapter, raw) };
	} catch (error) {
		return { failure: inputError(adapter, error instanceof Error ? error.message : String(error)) };
	}
}

function build(adapter: ProviderAdapter, raw: RawItemInput): MotionControlRequest {
	const imageUrl = checkUrl(raw.imageUrl, 'Image URL', 'the character image (JPG/PNG)');
	const videoUrl = checkUrl(raw.videoUrl, 'Video URL', 'the motion reference video (MP4/MOV)');

	const characterOrientation = String(raw.characterOrientation ?? '') as Orientation;
	if (characterOrientation !== 'image' && characterOrientation !== 'video') {
		throw new InputProblem(
			`Character Orientation "${String(raw.characterOrientation)}" is not valid: use "image" (clips up to 10 s) or "video" (clips up to 30 s)`,
		);
	}

	const quality = String(raw.quality ?? '') as Quality;
	if (quality !== 'standard' && quality !== 'pro') {
		throw new InputProblem(`Quality "${String(raw.quality)}" is not valid: use "standard" or "pro"`);
	}
	if (!adapter.capabilities.qualities.includes(quality)) {
		throw new InputProblem(
			`${adapter.displayName} offers only ${adapter.capabilities.qualities.join(' and ')} quality for Kling 3.0 Motion Control: set Quality to "${adapter.capabilities.qualities[0]}", or pick a provider that offers "${quality}"`,
		);
	}

	const prompt = text(raw.prompt);
	if (prompt && prompt.length > MAX_PROMPT_LENGTH) {
		throw new InputProblem(
			`Prompt is ${prompt.length} characters long; the limit is ${MAX_PROMPT_LENGTH.toLocaleString('en-US')}: shorten it`,
		);
	}
	if (!prompt && adapter.capabilities.promptRequired) {
		throw new InputProblem(`${adapter.displayName} requires a prompt: fill in Prompt (for example "The character dances")`);
	}

	const request: MotionControlRequest = { imageUrl, videoUrl, characterOrientation, quality, prompt };
	applyOptions(adapter, raw, request);
	return request;
}

/** The face element (frontal image + 1–3 reference images), where the provider takes one. */
function applyFaceElement(raw: RawItemInput, request: MotionControlRequest, requireFeature: (feature: OptionalFeature) => void): void {
	const frontal = text(raw.elementFrontalImageUrl);
	const references = referenceUrls(raw.elementReferenceImageUrls);
	if (frontal || references.length > 0) {
		requireFeature('elementFrontalImageUrl');
		if (!frontal) {
			throw new InputProblem('Element Reference Image URLs are set but Element Frontal Image URL is empty: add the frontal face image URL');
		}
		request.elementFrontalImageUrl = checkUrl(frontal, 'Element Frontal Image URL', 'a frontal face image');
		if (references.length < 1 || references.length > 3) {
			throw new InputProblem(
				`Element Reference Image URLs has ${references.length} URL(s); the face element needs 1 to 3 (comma-separated)`,
			);
		}
		request.elementReferenceImageUrls = references.map((url, index) =>
			checkUrl(url, `Element Reference Image URL ${index + 1}`, 'a reference face image'),
		);
	}
}

/** The options of one item, each checked against what the provider honours. */
function applyOptions(adapter: ProviderAdapter, raw: RawItemInput, request: MotionControlRequest): void {
	const { characterOrientation } = request;
	const requireFeature = (feature: OptionalFeature) => {
		if (!adapter.capabilities.features.includes(feature)) {
			throw new InputProblem(
				`The option ${FEATURE_LABEL[feature]} is not supported by ${adapter.displayName}. Providers that support it: ${providersWith(feature)}. Remove the option or pick one of those providers`,
			);
		}
	};

	const negativePrompt = text(raw.negativePrompt);
	if (negativePrompt) {
		requireFeature('negativePrompt');
		if (negativePrompt.length > MAX_PROMPT_LENGTH) {
			throw new InputProblem(`Negative Prompt is ${negativePrompt.length} characters long; the limit is 2,500: shorten it`);
		}
		request.negativePrompt = negativePrompt;
	}

	if (raw.keepOriginalSound !== undefined && raw.keepOriginalSound !== null && raw.keepOriginalSound !== '') {
		if (typeof raw.keepOriginalSound !== 'boolean') {
			throw new InputProblem('Keep Original Sound must be true or false');
		}
		if (raw.keepOriginalSound === false && adapter.capabilities.soundSwitch === false) {
			const others = providerNames((other) => other.capabilities.soundSwitch !== false);
			throw new InputProblem(
				`${adapter.displayName} documents no switch for the reference video's sound, so Keep Original Sound cannot be turned off there. Turn it on (or remove the option), or pick a provider that can mute it: ${others}`,
			);
		}
		request.keepOriginalSound = raw.keepOriginalSound;
	}

	const elementId = text(raw.elementId);
	if (elementId) {
		requireFeature('elementId');
		request.elementId = elementId;
	}

	applyFaceElement(raw, request, requireFeature);

	if ((request.elementId || request.elementFrontalImageUrl) && characterOrientation !== 'video') {
		throw new InputProblem(
			'An element can only be used with Character Orientation "video": set Character Orientation to "video" or remove the element',
		);
	}

	if (typeof raw.watermark === 'boolean') {
		requireFeature('watermark');
		request.watermark = raw.watermark;
	}

	applyCallback(adapter, raw, request, requireFeature);
}

function applyCallback(adapter: ProviderAdapter, raw: RawItemInput, request: MotionControlRequest, requireFeature: (feature: OptionalFeature) => void): void {
	const callbackUrl = text(raw.callbackUrl);
	if (!callbackUrl) return;
	requireFeature('callbackUrl');
	request.callbackUrl = checkUrl(callbackUrl, 'Callback URL', 'an endpoint that accepts the provider callback');
	if (adapter.capabilities.callbackHttpsOnly && !callbackUrl.startsWith('https://')) {
		throw new InputProblem(`${adapter.displayName} accepts only https:// callback URLs: use an HTTPS address for Callback URL`);
	}
}

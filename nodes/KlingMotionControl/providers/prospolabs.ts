import type { IDataObject } from 'n8n-workflow';

import { documentedAt, motionVideoLimits } from '../preflight/limits';
import type { ImageType } from '../preflight/mp4';
import { asNumber, asObject, asString, genericError, joinUrl, mapStatus, requireString } from './common';
import type { MotionControlRequest, ProviderAdapter, ProviderContext, ProviderError, RequestSpec, SubmitMode, TaskState, TaskStatus } from './types';

// Prospolabs (https://prospolabs.com/models/kling/kling-3-motion-control). `POST /v1/generate` is synchronous
// by default (documented): Submit and Wait uses it as is. Submit-only and callbacks need `async: true`
// (documented, body or `?async=true`). The poll path `GET /v1/generations/{id}` is NOT publicly
// documented: it is [I], used only by Get Status / Wait for Completion on a task id.
//
// Body shape [I]: two documented forms disagree. The model's own API page (seed 004, also
// helios-7yg.pages.dev/models/kling-3-motion-control/api/) shows a FLAT body `{model, prompt, quality,
// video_urls, image_url, character_orientation, keep_original_sound}`, as every model page does (Kling O3's
// puts `mode` flat too). The general docs (helios-7yg.pages.dev/docs/) describe a shared body
// `{model, mode?, params: {…}, webhook_url?, async?}` with `params` "Required". The flat form is sent
// first: it is the page for this model and names its fields. When a submit is refused with a validation
// error (HTTP 400/422, so no generation exists) whose words say the shape is wrong ("params" required, or
// one of the flat fields unknown), the same request goes once more in the general docs' form (see
// otherSubmitShape). Any other answer is never re-sent in another shape.
const DOC = 'https://prospolabs.com/models/kling/kling-3-motion-control';
const MODEL = 'kling-3-motion-control';

const STATUS: Record<string, TaskStatus> = {
	queued: 'queued',
	processing: 'processing',
	completed: 'completed',
	failed: 'failed',
};

function parseGeneration(body: unknown): TaskState {
	const object = asObject(body);
	const providerStatus = asString(object.status);
	const status = mapStatus(STATUS, providerStatus);
	const outputUrl = asString(object.output_url);
	const error = asObject(object.error);
	return {
		status,
		providerStatus,
		videoUrls: status === 'completed' && outputUrl ? [outputUrl] : [],
		errorMessage:
			asString(error.message) ?? (typeof object.error === 'string' ? object.error : undefined),
		errorCode: asString(error.code) ?? asString(object.code),
		raw: body,
		durationSeconds: undefined,
		estimatedSeconds: undefined,
		progress: asNumber(object.progress),
	};
}

/** The model's own parameters (the model page's table). */
function modelParams(request: MotionControlRequest): IDataObject {
	const params: IDataObject = {
		quality: request.quality,
		video_urls: [request.videoUrl],
		image_url: request.imageUrl,
		character_orientation: request.characterOrientation,
	};
	if (request.prompt) params.prompt = request.prompt;
	if (request.keepOriginalSound !== undefined) params.keep_original_sound = request.keepOriginalSound;
	return params;
}

/**
 * `flat`: the model page's body; `params`: the general docs' `{model, params, webhook_url, async}`. No
 * `mode` in either: the model page documents none for this model and the general docs default it to the
 * model's first declared mode.
 */
function submitSpec(request: MotionControlRequest, ctx: ProviderContext, mode: SubmitMode, shape: 'flat' | 'params'): RequestSpec {
	const params = modelParams(request);
	const body: IDataObject = shape === 'flat' ? { model: MODEL, ...params } : { model: MODEL, params };
	if (request.callbackUrl) body.webhook_url = request.callbackUrl;
	const async = mode === 'submitOnly' || request.callbackUrl !== undefined;
	if (async) body.async = true;
	return { method: 'POST', url: joinUrl(ctx.baseUrl, '/v1/generate'), body, longRunning: !async };
}

const FLAT_FIELDS = ['quality', 'video_urls', 'image_url', 'character_orientation', 'keep_original_sound', 'prompt'];

/**
 * The refusal says our flat body has the wrong shape: `params` is missing/required, or a flat field is
 * unknown/not allowed. Prospolabs publishes no error schema, so this reads its words [I]; anything else
 * (a bad value, a missing URL) is the user's to fix and is reported as it is.
 */
function saysShapeIsWrong(refusal: ProviderError): boolean {
	const text = `${refusal.message} ${refusal.code ?? ''}`;
	// "params is required", "body.params: Field required", "missing required parameter: params".
	const paramsRequired =
		/\bparams\b["'`]?\s*:?\s*(?:field\s+|object\s+)?(?:is\s+)?(?:required|missing)\b|\b(?:required|missing)\s+(?:field|property|parameter|key)?[:\s]*["'`]?params\b/i;
	if (paramsRequired.test(text)) return true;
	// "Unknown field quality", "body.quality: Extra inputs are not permitted", "quality is not a documented field";
	// never a value error that merely names a field ("image_url: unknown image format").
	const unknownField =
		/\b(?:unknown|unexpected|unrecogni[sz]ed|extra|additional)\s+(?:fields?|propert(?:y|ies)|parameters?|keys?|arguments?|inputs?)\b|\b(?:is|are)\s+not\s+(?:allowed|permitted|expected)\b|\bnot\s+(?:a\s+)?(?:documented|known|valid)\s+(?:field|property|parameter)\b/i;
	return unknownField.test(text) && FLAT_FIELDS.some((field) => new RegExp(`\\b${field}\\b`).test(text));
}

export const prospolabs: ProviderAdapter = {
	id: 'prospolabs',
	displayName: 'Prospolabs',
	credentialType: 'klingMcProspolabsApi',
	priceKey: 'prospolabs',
	limits: { video: motionVideoLimits(DOC), image: { types: documentedAt(DOC)<ImageType[]>(['jpeg', 'png', 'webp']) } },
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl'],
		cancel: false,
		promptRequired: false,
		outputLifetimeHours: 7 * 24,
	},

	buildSubmit(request, ctx, mode) {
		return submitSpec(request, ctx, mode, 'flat');
	},

	otherSubmitShape(request, ctx, mode, refusal) {
		return saysShapeIsWrong(refusal) ? submitSpec(request, ctx, mode, 'params') : undefined;
	},

	parseSubmit(body) {
		return {
			handle: { taskId: requireString(asObject(body).generation_id, 'generation_id') },
			state: parseGeneration(body),
		};
	},

	buildStatus(handle, ctx) {
		// [I] undocumented poll path (see the header comment).
		return {
			method: 'GET',
			url: joinUrl(ctx.baseUrl, `/v1/generations/${encodeURIComponent(handle.taskId)}`),
		};
	},

	parseStatus: parseGeneration,
	parseError: genericError,
};

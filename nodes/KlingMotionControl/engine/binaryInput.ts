import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { providerNames, uploadLimits } from '../providers';
import type { MediaKind, ProviderAdapter } from '../providers/types';
import { inputError, type TaskFailure } from './errors';
import { param } from './params';
import type { BinaryInput } from './upload';

const LABEL: Record<MediaKind, string> = { image: 'image', video: 'motion video' };
const PARAMETER: Record<MediaKind, string> = { image: 'imageBinaryProperty', video: 'videoBinaryProperty' };

function megabytes(bytes: number): string {
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function providersAccepting(kind: MediaKind): string {
	return providerNames((adapter) => uploadLimits(adapter, kind) !== undefined);
}

/** n8n 2.x stores `bytes`; an inline (base64) binary has only its data. */
function sizeOf(meta: IBinaryData): number | undefined {
	if (typeof meta.bytes === 'number') return meta.bytes;
	if (!meta.id && typeof meta.data === 'string') return Math.floor((meta.data.length * 3) / 4);
	return undefined;
}

const EXTENSION_TYPES: Record<string, string> = {
	jpeg: 'image/jpeg',
	jpg: 'image/jpeg',
	mov: 'video/quicktime',
	mp4: 'video/mp4',
	png: 'image/png',
	webp: 'image/webp',
};

/**
 * Finds an item's file for `kind` and checks it against what the provider documents (type, size)
 * before anything is uploaded or submitted.
 */
export function readBinaryInput(
	fns: IExecuteFunctions,
	adapter: ProviderAdapter,
	kind: MediaKind,
	itemIndex: number,
): BinaryInput | TaskFailure {
	const limits = uploadLimits(adapter, kind);
	if (!limits) {
		return inputError(
			adapter,
			`${adapter.displayName} cannot take the ${LABEL[kind]} as a file: it has no upload API for it. Set ${kind === 'image' ? 'Image' : 'Video'} Source to "URL" with a public link (works with every provider), or pick a provider that accepts ${LABEL[kind]} files: ${providersAccepting(kind)}`,
		);
	}
	const property = String(param<unknown>(fns, PARAMETER[kind], itemIndex, 'data') || 'data');
	const binaries = fns.getInputData()[itemIndex]?.binary ?? {};
	const meta = binaries[property];
	if (!meta) {
		const found = Object.keys(binaries);
		return inputError(
			adapter,
			`Item ${itemIndex} has no binary field "${property}" for the ${LABEL[kind]}${found.length ? ` (it has: ${found.join(', ')})` : ' (it has no binary data)'}: set ${kind === 'image' ? 'Image' : 'Video'} Binary Field to the field the earlier node writes`,
		);
	}
	const extension = (meta.fileExtension ?? meta.fileName?.split('.').pop() ?? '').toLowerCase();
	const mimeType = limits.mimeTypes.includes(meta.mimeType) ? meta.mimeType : (EXTENSION_TYPES[extension] ?? meta.mimeType);
	const fileName = meta.fileName ?? `${kind}.${extension || (kind === 'image' ? 'png' : 'mp4')}`;
	if (!limits.mimeTypes.includes(mimeType)) {
		return inputError(
			adapter,
			`The ${LABEL[kind]} file "${fileName}" is ${meta.mimeType || 'of unknown type'}; ${adapter.displayName} accepts ${limits.mimeTypes.join(', ')}: convert it first`,
		);
	}
	const size = sizeOf(meta);
	if (size !== undefined && size > limits.maxBytes) {
		return inputError(
			adapter,
			`The ${LABEL[kind]} file "${fileName}" is ${megabytes(size)}; ${adapter.displayName} accepts at most ${megabytes(limits.maxBytes)}: compress or trim it, or host it and pass a URL`,
		);
	}
	return { kind, itemIndex, property, meta, file: { kind, fileName, mimeType, size } };
}

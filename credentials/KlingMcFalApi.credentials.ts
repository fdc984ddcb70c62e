import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { apiKeyHeader } from './authenticate';

export class KlingMcFalApi implements ICredentialType {
	name = 'klingMcFalApi';

	displayName = 'Kling Motion Control: fal.ai API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://docs.fal.ai/model-endpoints/queue';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://queue.fal.run',
			description: 'Change only for a regional host, a gateway or a proxy',
		},
		{
			displayName: 'Storage Base URL',
			name: 'storageBaseUrl',
			type: 'string',
			default: 'https://rest.fal.ai',
			description: 'fal storage host used to upload binary inputs',
		},
	];

	authenticate = apiKeyHeader('Key');

	// fal has no account call on the queue host. Asking fal storage for an upload slot needs a valid key
	// (401 otherwise), answers 2xx, and creates nothing until bytes are PUT to the slot: free [I].
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.storageBaseUrl}}',
			url: '/storage/upload/initiate',
			method: 'POST',
			qs: { storage_type: 'fal-cdn-v3' },
			body: { content_type: 'image/png', file_name: 'n8n-credential-test.png' },
		},
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: 'fal.ai refused the API key: check it (format key-id:secret) in your fal.ai dashboard' } },
			{ type: 'responseCode', properties: { value: 403, message: 'fal.ai refused the API key: check it (format key-id:secret) in your fal.ai dashboard' } },
		],
	};
}

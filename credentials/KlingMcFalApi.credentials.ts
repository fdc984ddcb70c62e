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

	// [I] fal has no cheap account call on the queue host: the status of an unknown request id answers
	// 404 to a valid key, and only an authentication refusal (401/403) fails the test.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/fal-ai/kling-video/requests/00000000-0000-0000-0000-000000000000/status',
			method: 'GET',
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: 'The API key was refused' } },
			{ type: 'responseCode', properties: { value: 403, message: 'The API key was refused' } },
		],
	};
}

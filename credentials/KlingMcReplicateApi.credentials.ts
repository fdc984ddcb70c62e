import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { apiKeyHeader } from './authenticate';

export class KlingMcReplicateApi implements ICredentialType {
	name = 'klingMcReplicateApi';

	displayName = 'Kling Motion Control: Replicate API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://replicate.com/kwaivgi/kling-v3-motion-control/api';

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
			default: 'https://api.replicate.com',
			description: 'Change only for a regional host, a gateway or a proxy',
		},
	];

	authenticate = apiKeyHeader('Bearer');

	// GET /v1/account returns the account the token belongs to.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/account',
			method: 'GET',
		},
	};
}

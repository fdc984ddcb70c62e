/**
 * A second floor for the benchmark: the smallest node that sends the same requests as the Kling node
 * through n8n's own request helper (httpRequestWithAuthentication, the provider's credential), run by
 * n8n's engine with the same input items — no parameters, no pre-flight parsing, no scheduling, no
 * output shaping. The Kling node's CPU against this one is what the node itself adds; this one against
 * the bare HTTP floor is what n8n's engine and request helper add per item.
 */
import type { IExecuteFunctions, IHttpRequestOptions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { ProviderAdapter, ProviderContext } from '../nodes/KlingMotionControl/providers/types';

export function helperFloorNode(adapter: ProviderAdapter, ctx: ProviderContext, requestsPerItem: () => number): INodeType {
	return {
		description: {
			displayName: 'Helper Floor',
			name: 'helperFloor',
			group: ['transform'],
			version: 1,
			description: 'Benchmark floor',
			defaults: { name: 'Helper Floor' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: adapter.credentialType, required: true }],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const items = this.getInputData();
			const send = async (spec: { method: IHttpRequestOptions['method']; url: string; body?: object; headers?: Record<string, string> }, auth: boolean) => {
				const options: IHttpRequestOptions = {
					method: spec.method,
					url: spec.url,
					body: spec.body,
					headers: spec.headers,
					json: true,
					encoding: 'text',
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					timeout: 120_000,
				};
				return (await (auth
					? this.helpers.httpRequestWithAuthentication.call(this, adapter.credentialType, options)
					: this.helpers.httpRequest(options))) as { body: unknown };
			};
			const total = requestsPerItem();
			const out = await Promise.all(
				items.map(async (item, index) => {
					const image = String(item.json.image);
					// The pre-flight range read of the image, the submit, then status checks up to the node's count.
					await send({ method: 'GET', url: image, headers: { Range: 'bytes=0-1023' } }, false);
					const submit = adapter.buildSubmit({ imageUrl: image, videoUrl: String(item.json.video), characterOrientation: 'image', quality: 'pro', prompt: 'dance' }, ctx, 'wait');
					const answer = await send({ method: submit.method, url: submit.url, body: submit.body }, true);
					const body = typeof answer.body === 'string' ? (JSON.parse(answer.body) as unknown) : answer.body;
					const handle = adapter.parseSubmit(body).handle;
					const status = adapter.buildStatus(handle, ctx);
					const extra = Math.max(0, Math.round(total * (index + 1)) - Math.round(total * index) - 2);
					for (let check = 0; check < extra; check++) await send({ method: status.method, url: status.url }, true);
					return { json: { taskId: handle.taskId }, pairedItem: { item: index } };
				}),
			);
			return [out];
		},
	};
}

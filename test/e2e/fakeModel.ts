// A local OpenAI-compatible chat server for the AI Agent scenario: n8n's "OpenAI Chat Model" node talks
// to it through an OpenAI credential whose Base URL points here. It answers /chat/completions with the
// tool calls a script decides (one per turn), in JSON or as a server-sent event stream, and records what
// n8n sent: the tool schema (names, descriptions, parameters) and every tool result.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatTool {
	name: string;
	description: string;
	parameters: unknown;
}
export interface ChatMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
	name?: string;
}
export interface ChatRequest {
	path: string;
	body: { model?: string; messages: ChatMessage[]; tools?: Array<{ type: string; function: ChatTool }>; stream?: boolean };
	at: number;
}
/** What the script answers: a tool call, or the final text. */
export type Turn = { tool: string; args: Record<string, unknown> } | { text: string };

export interface ToolResult {
	tool: string;
	args: Record<string, unknown>;
	content: string;
}

/** The conversation seen so far: the tools offered, and each earlier tool call with its result. */
export interface Conversation {
	userText: string;
	tools: ChatTool[];
	results: ToolResult[];
}

export type Script = (c: Conversation) => Turn;

export function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : String((p as { text?: string }).text ?? ''))).join('');
	return content === undefined || content === null ? '' : JSON.stringify(content);
}

export function conversationOf(body: ChatRequest['body']): Conversation {
	const messages = body.messages ?? [];
	const calls = new Map<string, { tool: string; args: Record<string, unknown> }>();
	const results: ToolResult[] = [];
	for (const m of messages) {
		for (const call of m.tool_calls ?? []) {
			let args: Record<string, unknown> = {};
			try {
				args = JSON.parse(call.function.arguments) as Record<string, unknown>;
			} catch {
				/* recorded as {} */
			}
			calls.set(call.id, { tool: call.function.name, args });
		}
		if (m.role === 'tool') {
			const call = calls.get(String(m.tool_call_id)) ?? { tool: String(m.name ?? '?'), args: {} };
			results.push({ ...call, content: textOf(m.content) });
		}
	}
	return {
		userText: messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).join('\n'),
		tools: (body.tools ?? []).map((t) => t.function),
		results,
	};
}

export class FakeModel {
	readonly requests: ChatRequest[] = [];
	readonly errors: string[] = [];
	private server?: Server;
	private seq = 0;

	constructor(private readonly script: Script) {}

	get baseUrl(): string {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
	}

	async start(): Promise<this> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return this;
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const path = (req.url ?? '').split('?')[0];
		if (req.method === 'GET' && path.endsWith('/models')) {
			return this.json(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'e2e' }] });
		}
		if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
			this.errors.push(`unexpected ${req.method} ${req.url}`);
			return this.json(res, 404, { error: { message: `fake model: no ${req.method} ${path}` } });
		}
		let body: ChatRequest['body'];
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest['body'];
		} catch (e) {
			this.errors.push(`bad JSON: ${(e as Error).message}`);
			return this.json(res, 400, { error: { message: 'bad JSON' } });
		}
		this.requests.push({ path, body, at: Date.now() });
		let turn: Turn;
		try {
			turn = this.script(conversationOf(body));
		} catch (e) {
			this.errors.push(`script: ${(e as Error).message}`);
			turn = { text: `SCRIPT ERROR: ${(e as Error).message}` };
		}
		const id = `chatcmpl-e2e-${++this.seq}`;
		const created = Math.floor(Date.now() / 1000);
		const model = body.model ?? 'fake-model';
		const call = 'tool' in turn ? { id: `call_e2e_${this.seq}`, type: 'function', function: { name: turn.tool, arguments: JSON.stringify(turn.args) } } : undefined;
		const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
		if (body.stream) {
			res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
			const send = (delta: unknown, finish: string | null): void => {
				res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
			};
			if (call) send({ role: 'assistant', content: null, tool_calls: [{ index: 0, ...call }] }, null);
			else send({ role: 'assistant', content: (turn as { text: string }).text }, null);
			send({}, call ? 'tool_calls' : 'stop');
			res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
			res.end('data: [DONE]\n\n');
			return;
		}
		const message = call ? { role: 'assistant', content: null, tool_calls: [call] } : { role: 'assistant', content: (turn as { text: string }).text };
		this.json(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: call ? 'tool_calls' : 'stop' }], usage });
	}

	private json(res: ServerResponse, status: number, body: unknown): void {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}
}

/**
 * The quick start's code samples (WEBAPP.md §6.4, §5.6): OpenAI SDKs and curl take `<origin>/v1`,
 * the Anthropic SDKs take the origin alone (they append /v1/messages). The key is read from the
 * environment (`$SWITCHBOARD_API_KEY`) unless the reveal dialog inserted it for this visit.
 */
export interface SnippetInput {
  origin: string;
  /** `service/model` or a route name. */
  model: string;
  /** The key inserted from the reveal dialog; absent: the environment placeholder. */
  key?: string | undefined;
  embeddingModel?: string | undefined;
  imageModel?: string | undefined;
  videoModel?: string | undefined;
}

export interface Snippet {
  value: string;
  label: string;
  code: string;
}

const ENV = 'SWITCHBOARD_API_KEY';
/** Quotes a value for a JS or Python string literal (JSON escaping suits both here). */
const str = (value: string) => JSON.stringify(value);

export function buildSnippets(input: SnippetInput): Snippet[] {
  const openaiBase = `${input.origin}/v1`;
  const shellKey = input.key ?? `$${ENV}`;
  const pyKey = input.key ? str(input.key) : `os.environ[${str(ENV)}]`;
  const jsKey = input.key ? str(input.key) : `process.env.${ENV}`;
  const pyImport = input.key ? '' : 'import os\n';
  const chatBody = JSON.stringify({ model: input.model, messages: [{ role: 'user', content: 'Say hello in five words.' }] });
  const curl = (path: string, body: string) =>
    [`curl -sS ${openaiBase}${path} \\`, `  -H "Authorization: Bearer ${shellKey}" \\`, '  -H "Content-Type: application/json" \\', `  -d '${body}'`].join('\n');

  const snippets: Snippet[] = [
    { value: 'curl', label: 'curl', code: curl('/chat/completions', chatBody) },
    {
      value: 'openai-python',
      label: 'OpenAI Python',
      code: `${pyImport}from openai import OpenAI

client = OpenAI(base_url=${str(openaiBase)}, api_key=${pyKey})
response = client.chat.completions.create(
    model=${str(input.model)},
    messages=[{"role": "user", "content": "Say hello in five words."}],
)
print(response.choices[0].message.content)`,
    },
    {
      value: 'openai-node',
      label: 'OpenAI Node',
      code: `import OpenAI from 'openai';

const client = new OpenAI({ baseURL: ${str(openaiBase)}, apiKey: ${jsKey} });
const response = await client.chat.completions.create({
  model: ${str(input.model)},
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
});
console.log(response.choices[0].message.content);`,
    },
    {
      value: 'anthropic-python',
      label: 'Anthropic Python',
      code: `${pyImport}from anthropic import Anthropic

client = Anthropic(base_url=${str(input.origin)}, api_key=${pyKey})
message = client.messages.create(
    model=${str(input.model)},
    max_tokens=256,
    messages=[{"role": "user", "content": "Say hello in five words."}],
)
print(message.content[0].text)`,
    },
    {
      value: 'anthropic-node',
      label: 'Anthropic Node',
      code: `import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: ${str(input.origin)}, apiKey: ${jsKey} });
const message = await client.messages.create({
  model: ${str(input.model)},
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
});
console.log(message.content[0].text);`,
    },
  ];
  if (input.embeddingModel) snippets.push({ value: 'embeddings', label: 'Embeddings', code: curl('/embeddings', JSON.stringify({ model: input.embeddingModel, input: 'The quick brown fox' })) });
  if (input.imageModel) snippets.push({ value: 'images', label: 'Images', code: curl('/images/generations', JSON.stringify({ model: input.imageModel, prompt: 'A lighthouse at dawn, watercolor', size: '1024x1024' })) });
  if (input.videoModel) {
    snippets.push({
      value: 'video',
      label: 'Video (async)',
      code: `${curl('/videos', JSON.stringify({ model: input.videoModel, prompt: 'A paper boat drifting down a rainy street', seconds: '4' }))}

# The answer is a job ({"id": "video_…", "status": "queued"}). Poll it, then download the MP4:
curl -sS ${openaiBase}/videos/VIDEO_ID -H "Authorization: Bearer ${shellKey}"
curl -sS ${openaiBase}/videos/VIDEO_ID/content -H "Authorization: Bearer ${shellKey}" -o video.mp4`,
    });
  }
  return snippets;
}

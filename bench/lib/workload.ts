/**
 * The request every target receives: a realistic small chat call (system + user message, a few
 * sampling parameters), as JSON or as a stream that asks for the final usage chunk.
 */
export type BodyKind = 'json' | 'stream';

const messages = [
  { role: 'system', content: 'You are a concise assistant for a customer-support team. Answer in plain English.' },
  {
    role: 'user',
    content:
      'A customer says their invoice for March was charged twice, once on the 3rd and once on the 4th, ' +
      'and asks whether the second charge will be refunded automatically. Draft a short, friendly reply ' +
      'that explains what happens next and how long a refund usually takes.',
  },
];

export function chatRequestBody(model: string, kind: BodyKind): string {
  return JSON.stringify({
    model,
    messages,
    temperature: 0.3,
    max_tokens: 256,
    ...(kind === 'stream' ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

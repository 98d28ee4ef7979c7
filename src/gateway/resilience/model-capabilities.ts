/**
 * What route constraints need to know about a chat model that the price catalog does not say:
 * its capabilities and context window (tokens), by model-name prefix (longest prefix wins).
 * Taken from the providers' model pages; a model not listed here fails every capability or
 * context constraint (it is never assumed to qualify).
 */
export type Capability = 'tools' | 'vision' | 'json';

export const capabilityNames: readonly Capability[] = ['tools', 'vision', 'json'];

const table: Array<[prefix: string, capabilities: Capability[], context: number]> = [
  ['openai/gpt-4o', ['tools', 'vision', 'json'], 128_000],
  ['openai/gpt-4.1', ['tools', 'vision', 'json'], 1_047_576],
  ['openai/gpt-5', ['tools', 'vision', 'json'], 400_000],
  ['openai/o3', ['tools', 'vision', 'json'], 200_000],
  ['openai/o4-mini', ['tools', 'vision', 'json'], 200_000],
  ['openai/gpt-3.5-turbo', ['tools', 'json'], 16_385],
  ['anthropic/claude-', ['tools', 'vision', 'json'], 200_000],
  ['gemini/gemini-', ['tools', 'vision', 'json'], 1_048_576],
  ['cohere/command-r', ['tools', 'json'], 128_000],
  ['cohere/command-a', ['tools', 'json'], 256_000],
];

export function capabilitiesOf(model: string): { capabilities: Capability[]; context: number } | undefined {
  let best: (typeof table)[number] | undefined;
  for (const row of table) if (model.startsWith(row[0]) && (!best || row[0].length > best[0].length)) best = row;
  return best ? { capabilities: best[1], context: best[2] } : undefined;
}

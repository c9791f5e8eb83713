/** One chat message as the simulator reads it; other fields are accepted but not rendered. */
export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
}

export interface RenderOptions {
  tools?: unknown;
  addGenerationPrompt: boolean;
  continueFinalMessage: boolean;
}

/** The text of a message's content: a string, or the text parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) => {
      if (typeof part === "string") return part;
      if (typeof part !== "object" || part === null) return "";
      const { type, text } = part as { type?: unknown; text?: unknown };
      if (typeof text === "string") return text;
      // Media stands in as one placeholder each, as multimodal templates insert one.
      return typeof type === "string" ? `<${type}>` : "";
    })
    .join("");
}

/**
 * Renders messages with a ChatML template (Qwen-style `<|im_start|>role … <|im_end|>`), as vLLM
 * applies the model's chat template before tokenizing. Tools are rendered into the system turn,
 * so they cost prompt tokens and share a cacheable prefix, as they do in real templates.
 */
export function renderChat(messages: readonly ChatMessage[], options: RenderOptions): string {
  const turns: string[] = [];
  const tools = Array.isArray(options.tools) && options.tools.length > 0 ? JSON.stringify(options.tools) : undefined;
  const hasSystem = messages[0]?.role === "system" || messages[0]?.role === "developer";
  if (tools && !hasSystem) turns.push(`<|im_start|>system\n# Tools\n${tools}<|im_end|>\n`);
  messages.forEach((message, index) => {
    let text = contentText(message.content);
    if (index === 0 && hasSystem && tools) text += `\n\n# Tools\n${tools}`;
    if (message.tool_calls !== undefined && message.tool_calls !== null)
      text += `\n<tool_call>${JSON.stringify(message.tool_calls)}</tool_call>`;
    const last = index === messages.length - 1;
    const open = `<|im_start|>${message.role}\n${text}`;
    turns.push(last && options.continueFinalMessage ? open : `${open}<|im_end|>\n`);
  });
  if (options.addGenerationPrompt && !options.continueFinalMessage) turns.push("<|im_start|>assistant\n");
  return turns.join("");
}

/** What the model is asked: the last user message (else the last message of any role). */
export function lastUserText(messages: readonly ChatMessage[]): string {
  const last = [...messages].reverse().find((message) => message.role === "user") ?? messages.at(-1);
  return last ? contentText(last.content) : "";
}

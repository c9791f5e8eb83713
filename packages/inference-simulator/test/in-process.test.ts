import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "../src/server.ts";
import { userMessage } from "./support.ts";

const simulators: Simulator[] = [];

afterEach(() => {
  for (const simulator of simulators.splice(0)) simulator.shutdown();
});

function inProcess(options: Parameters<typeof createSimulator>[0] = {}) {
  const simulator = createSimulator(options);
  simulators.push(simulator);
  // The client's requests go straight to the Hono app: no port, no socket.
  const client = new OpenAI({
    baseURL: "http://simulator.test/v1",
    apiKey: "unused",
    maxRetries: 0,
    fetch: (input, init) =>
      Promise.resolve(simulator.app.request(input instanceof Request ? input : String(input), init)),
  });
  return { simulator, client };
}

describe("the simulator in-process (app.request)", () => {
  it("answers chat completions, streaming and not, without listening on a port", async () => {
    const { client } = inProcess();

    const completion = await client.chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage("hi"),
    });
    const stream = await client.chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage("hi"),
      stream: true,
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";

    expect(streamed).toBe(completion.choices[0]?.message.content);
  });

  it("turns a dropped connection into a 500 when there is no socket to cut", async () => {
    const { simulator } = inProcess({ dropRate: 1 });

    const response = await simulator.app.request("/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ messages: userMessage("hi") }),
    });

    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { type: "InternalServerError", code: 500 } });
    expect(simulator.stats()).toMatchObject({ running: 0, aborted: 1 });
  });
});

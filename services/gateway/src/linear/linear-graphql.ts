/** Linear refused the credentials (HTTP 401, or a GraphQL AUTHENTICATION_ERROR). */
export class LinearAuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LinearAuthenticationError";
  }
}

/** Linear answered with GraphQL errors, a non-2xx status, or not at all. */
export class LinearApiError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LinearApiError";
  }
}

interface GraphQLAnswer<Data> {
  data?: Data | null;
  errors?: { message: string; extensions?: { code?: string; type?: string } }[];
}

/** Posts GraphQL documents to Linear's API with a ready `Authorization` header value. */
export class LinearGraphQL {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs = 15_000) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
  }

  async request<Data>(
    authorization: string,
    document: { name: string; query: string },
    variables: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<Data> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization },
        body: JSON.stringify({ operationName: document.name, query: document.query, variables }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new LinearApiError(`Linear's API did not answer ${document.name}`, { cause: error });
    }
    if (response.status === 401) {
      await response.body?.cancel();
      throw new LinearAuthenticationError(`Linear refused the credentials for ${document.name}`);
    }
    const answer = (await response.json().catch(() => ({}))) as GraphQLAnswer<Data>;
    const errors = answer.errors ?? [];
    if (errors.some((error) => error.extensions?.code === "AUTHENTICATION_ERROR")) {
      throw new LinearAuthenticationError(`Linear refused the credentials for ${document.name}`);
    }
    if (errors.length > 0 || !response.ok || !answer.data) {
      const detail = errors.map((error) => error.message).join("; ") || `HTTP ${response.status}`;
      throw new LinearApiError(`Linear ${document.name} failed: ${detail}`);
    }
    return answer.data;
  }
}

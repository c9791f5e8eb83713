import { once } from "node:events";
import { createServer } from "node:http";

/** Linear's OAuth token endpoint and GraphQL API, just enough for the gateway to store a connection. */
export async function startFakeLinear() {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.setHeader("content-type", "application/json");
      if (request.url === "/oauth/token") {
        response.end(
          JSON.stringify({
            access_token: "lin_oauth_test",
            refresh_token: "lin_refresh_test",
            expires_in: 86_400,
            scope: "read,write",
          }),
        );
      } else if (request.url === "/graphql") {
        response.end(
          JSON.stringify({
            data: {
              viewer: { id: "user-1", name: "Ada" },
              organization: { id: "org-1", name: "Acme", urlKey: "acme" },
            },
          }),
        );
      } else {
        response.statusCode = 404;
        response.end("{}");
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    env: {
      LINEAR_AUTHORIZE_URL: `${url}/oauth/authorize`,
      LINEAR_TOKEN_URL: `${url}/oauth/token`,
      LINEAR_REVOKE_URL: `${url}/oauth/revoke`,
      LINEAR_API_URL: `${url}/graphql`,
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

# syntax=docker/dockerfile:1.7
#
# One image per deployable, all from this file:
#   docker build --build-arg SERVICE=orchestrator -t devtools/orchestrator .
# SERVICE is a service name (gateway, orchestrator, feature-dev, code-review, infrastructure, cicd,
# documentation) or inference-simulator; each is the workspace package @devtools/<SERVICE>.
# Node runs the TypeScript sources directly (type stripping), so there is no build stage: the image
# holds the pruned workspace's sources and its production dependencies only.

ARG NODE_VERSION=24.21.0
ARG SERVICE

FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app

# The slice of the workspace SERVICE needs: out/json (manifests + lockfile) for the dependency layer,
# out/full (sources) for the layer above it, so a source change does not reinstall dependencies.
FROM base AS pruner
ARG SERVICE
ARG TURBO_VERSION=2.11.11
ENV TURBO_TELEMETRY_DISABLED=1
RUN npm install --global "turbo@${TURBO_VERSION}"
COPY . .
RUN turbo prune "@devtools/${SERVICE}" --docker

# Production dependencies only, with the pnpm that package.json's packageManager pins (corepack).
FROM base AS installer
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0
RUN corepack enable pnpm
COPY --from=pruner /app/out/json/ ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod --store-dir=/pnpm/store
COPY --from=pruner /app/out/full/ ./

# The service's writable folder (the embedded database when no DATABASE_URL is set): it exists in the
# image, owned by node, so a named volume mounted on /app/.data/<SERVICE> starts out writable.
FROM base AS state
ARG SERVICE
WORKDIR /state/.data/${SERVICE}

FROM base AS release
ENV NODE_ENV=production
# Node is PID 1 and needs no init: service-kit and the simulator stop gracefully on SIGTERM/SIGINT
# themselves, and no service starts child processes that would need reaping.
STOPSIGNAL SIGTERM
# Plain node, no curl: the slim image has none, and the check reads the port the service listens on.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || process.env.SIMULATOR_PORT) + '/health', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]

# Each deployable's port (contracts' SERVICES; the simulator's DEFAULT_PORT) and entry point.
FROM release AS service-gateway
ENV PORT=8000
EXPOSE 8000
CMD ["node", "services/gateway/src/main.ts"]

FROM release AS service-orchestrator
ENV PORT=8001
EXPOSE 8001
CMD ["node", "services/orchestrator/src/main.ts"]

FROM release AS service-feature-dev
ENV PORT=8002
EXPOSE 8002
CMD ["node", "services/feature-dev/src/main.ts"]

FROM release AS service-code-review
ENV PORT=8003
EXPOSE 8003
CMD ["node", "services/code-review/src/main.ts"]

FROM release AS service-infrastructure
ENV PORT=8004
EXPOSE 8004
CMD ["node", "services/infrastructure/src/main.ts"]

FROM release AS service-cicd
ENV PORT=8005
EXPOSE 8005
CMD ["node", "services/cicd/src/main.ts"]

FROM release AS service-documentation
ENV PORT=8006
EXPOSE 8006
CMD ["node", "services/documentation/src/main.ts"]

FROM release AS service-inference-simulator
ENV SIMULATOR_PORT=8010
EXPOSE 8010
CMD ["node", "packages/inference-simulator/src/main.ts"]

# The image: the stage above that SERVICE names, with the installed workspace. App files stay
# root-owned (read-only to the service); only .data/<SERVICE> is node's.
FROM service-${SERVICE} AS runtime
ARG NODE_VERSION
ARG SERVICE
COPY --from=installer /app/ ./
COPY --from=state --chown=node:node /state/.data/ ./.data/
USER node
# Last, so a new revision or date does not invalidate the layers above.
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="devtools-${SERVICE}" \
      org.opencontainers.image.description="devtools ${SERVICE}: part of the self-hosted multi-agent developer-tools platform" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="docker.io/library/node:${NODE_VERSION}-bookworm-slim"

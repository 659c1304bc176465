# Built from the repository root: docker build -f docker/ws-proxy.Dockerfile .
FROM node:20-bookworm-slim AS base
RUN npm install -g pnpm@10.34.9

FROM base AS pruner
WORKDIR /repo
COPY . .
RUN pnpm dlx turbo@2.11.11 prune @openalgo/ws-proxy --docker

FROM base AS builder
WORKDIR /repo
COPY --from=pruner /repo/out/json/ .
RUN pnpm install --frozen-lockfile
COPY --from=pruner /repo/out/full/ .
RUN pnpm turbo run build --filter=@openalgo/ws-proxy... \
 && pnpm deploy --filter=@openalgo/ws-proxy --prod --legacy /app

FROM node:20-bookworm-slim
ENV NODE_ENV=production WS_HOST=0.0.0.0 WS_PORT=8765
WORKDIR /app
COPY --from=builder /app .
USER node
EXPOSE 8765
# A small young generation: the proxy's garbage is short-lived frames; V8's default 16 MB
# semi-spaces cost it ~35 MB of RSS for no throughput (see apps/ws-proxy/README.md).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", "dist/server.js"]

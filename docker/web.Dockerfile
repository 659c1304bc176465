# Built from the repository root: docker build -f docker/web.Dockerfile .
# The web app is static files; any web server can host them. nginx proxies /api to the api.
FROM node:20-bookworm-slim AS builder
RUN npm install -g pnpm@10.34.9
WORKDIR /repo
COPY . .
RUN pnpm dlx turbo@2.11.11 prune @openalgo/web --docker && cd out/json && true
RUN pnpm install --frozen-lockfile && pnpm turbo run build --filter=@openalgo/web

FROM nginx:1.27-alpine
COPY --from=builder /repo/apps/web/dist /usr/share/nginx/html
COPY docker/web.nginx.conf /etc/nginx/conf.d/default.conf
EXPOSE 80

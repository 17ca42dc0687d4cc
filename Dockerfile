# Ledgerline worker and API image (one image, two commands), on Node 24, the current LTS (README "Quick start").
# Build: docker build -t ledgerline .
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/db/migrations ./db/migrations
# The web console's stylesheet and icon (served from the source tree: tsc copies no CSS).
COPY --from=build /app/console/static ./console/static
USER node
# The worker's V8 heaps (its main thread and its workflow thread each) capped, as `npm run worker` does: 192 MB of old
# space and 16 MB semi-spaces (Node 24's V8 would otherwise size the young generation at 192 MB beside that cap).
CMD ["node", "--max-old-space-size=192", "--max-semi-space-size=16", "dist/main/worker.js"]

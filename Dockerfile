# syntax=docker/dockerfile:1
# Build stage: compiles TypeScript and the better-sqlite3 native addon.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# Runtime stage: no compiler, no dev dependencies, not root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TIDINGS_CONFIG=/etc/tidings/tidings.yaml
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The embedded default config; mount your own over /etc/tidings (read-only is fine).
COPY config /etc/tidings
RUN groupadd --system tidings && useradd --system --gid tidings --home-dir /var/lib/tidings tidings \
    && mkdir -p /var/lib/tidings && chown tidings:tidings /var/lib/tidings
# The default config keeps its data at ../data relative to itself: point that at the volume.
RUN ln -s /var/lib/tidings /etc/data
VOLUME ["/var/lib/tidings"]
USER tidings
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["run"]

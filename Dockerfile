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
# Secrets never go into the image or the YAML: the config names an environment variable (*_env)
# or a file (*_file, e.g. /run/secrets/imap_password) for each one. See docs/deploy.md.
# /healthz answers 503 with the reasons when the database is not writable, the mail source is not
# connected or the outbox is stuck. The config's http.listen must match TIDINGS_HEALTH_URL
# (default 127.0.0.1:8025, inside the container). No curl in the slim image: node's fetch does it.
ENV TIDINGS_HEALTH_URL=http://127.0.0.1:8025/healthz
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch(process.env.TIDINGS_HEALTH_URL).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM stops taking mail and finishes the message and the send in flight; give it time
# (docker stop -t 60). SIGHUP (docker kill -s HUP) reloads the configuration.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["run"]

# syntax=docker/dockerfile:1

# Build stage: every dependency (dev ones included) to compile the TypeScript, then only the production ones kept.
# bcrypt and better-sqlite3 ship prebuilt binaries; the build tools are there for when one must compile from source.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY contract ./contract
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies, the compiled output and the event contract, nothing else,
# run as the unprivileged `node` user of the base image.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node contract ./contract
# The operator's command line on the PATH: docker compose exec authsvc authsvc-cli help
RUN chmod +x dist/src/config/cli.js && ln -s /app/dist/src/config/cli.js /usr/local/bin/authsvc-cli
USER node
EXPOSE 3000
# Liveness: the process answers. The slim image has no curl, so node asks. Readiness (/health/ready: database
# reachable, migrations applied) is what docker-compose.yml waits on. The relay serves no HTTP: a relay container
# overrides this check (docker-compose.yml does) or it is reported unhealthy.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The API. The outbox relay runs from the same image: `node dist/src/config/relay-main.js`.
CMD ["node", "dist/src/config/main.js"]

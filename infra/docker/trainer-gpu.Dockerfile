# The trainer on a GPU: tfjs-node-gpu (which downloads libtensorflow with CUDA
# at install time, so it is installed here and nowhere else) on a CUDA base.
# The trainer picks the tensorflow-gpu backend at start and logs it. Its install
# script is approved in package.json allowScripts (npm 11 blocks unapproved ones).
FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates build-essential python3 \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs && rm -rf /var/lib/apt/lists/*
WORKDIR /repo
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs libs
COPY apps apps
COPY tools tools
RUN npm ci --no-audit --no-fund && npx nx run-many -t build \
 && npm install --no-save --workspace @recstream/trainer @tensorflow/tfjs-node-gpu@4.22.0 \
 && npm prune --omit=dev
ENV NODE_ENV=production
CMD ["node", "apps/trainer/dist/main.js"]

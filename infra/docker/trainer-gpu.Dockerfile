# The trainer on a GPU: tfjs-node-gpu (which downloads libtensorflow with CUDA
# at install time, so it is installed here and nowhere else) on a CUDA base.
# The trainer picks the tensorflow-gpu backend at start and logs it. Its install
# script is approved in package.json allowScripts (npm 11 blocks unapproved ones).
#
# build: compilers for the native modules (hnswlib-node, tfjs-node-gpu's
# binding), then the apps. tfjs-node-gpu is added to the trainer's
# dependencies inside the image (not --no-save), so `npm prune --omit=dev`
# keeps it: prune removes every package that no package.json lists.
FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS build
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates build-essential python3 \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs && rm -rf /var/lib/apt/lists/*
WORKDIR /repo
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs libs
COPY apps apps
COPY tools tools
RUN npm ci --no-audit --no-fund && npx nx run-many -t build \
 && npm install --no-audit --no-fund --save-exact --workspace @recstream/trainer @tensorflow/tfjs-node-gpu@4.22.0 \
 && npm prune --omit=dev \
 && node -e "require.resolve('@tensorflow/tfjs-node-gpu', { paths: ['apps/trainer'] })"

# The runtime: CUDA and Node, no compilers.
FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs && rm -rf /var/lib/apt/lists/*
WORKDIR /repo
COPY --from=build /repo /repo
ENV NODE_ENV=production
# Fails the build if tfjs-node-gpu did not survive into the image.
RUN node -e "require.resolve('@tensorflow/tfjs-node-gpu', { paths: ['apps/trainer'] })"
CMD ["node", "apps/trainer/dist/main.js"]

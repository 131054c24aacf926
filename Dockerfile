# The sipts container image: sipts installed as a package, from `npm pack` of this repository.
#   npm pack && docker build -t sipts:0.1.0 .        (podman build reads this file and .dockerignore too)
# A Dockerfile, not a Containerfile: Docker reads only this name by default, Podman and Buildah read both.

# Node.js 24, an LTS line, on Debian 12 slim: glibc, and GNU env, whose -S the #! line of bin/sipts.js needs.
FROM node:24-bookworm-slim

# The package npm pack writes (its name and version; a test checks them against npm pack): the compiled code,
# bin/sipts.js and the built-in scenarios (-sn, -sd), with their production dependencies from the registry.
COPY sipts-0.1.0.tgz /tmp/
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/sipts-0.1.0.tgz \
 && rm /tmp/sipts-0.1.0.tgz \
 && npm cache clean --force

# Not root: the node image's own user, by number, so that Kubernetes' runAsNonRoot can check it.
USER 1000:1000
WORKDIR /home/node

# npm links sipts on the PATH to the package's bin/sipts.js.
ENTRYPOINT ["sipts"]

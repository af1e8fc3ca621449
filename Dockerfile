# syntax=docker/dockerfile:1
#
# Switchyard in a container: built with the official Swift image, run on plain Ubuntu with the Swift standard
# library linked statically, as a non-root user, with the ledger on a volume. See docs/cli.md ("Docker").
#
#   docker build -t switchyard .
#   docker run --rm -p 8080:8080 -v switchyard-data:/data switchyard
#
# scripts/check-dockerfile parses this file and checks it against the commands in README.md and docs/cli.md.

ARG SWIFT_VERSION=6.3
ARG UBUNTU_VERSION=noble

# ---- build -------------------------------------------------------------------------------------------------------
FROM swift:${SWIFT_VERSION}-${UBUNTU_VERSION} AS build

# GRDB links the system SQLite.
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Resolve dependencies in their own layer, so that changing a source file does not fetch them again.
COPY Package.swift ./
RUN swift package resolve

COPY Sources ./Sources
COPY Plugins ./Plugins
COPY Tests ./Tests
COPY migrations ./migrations

# --static-swift-stdlib: the runtime image needs no Swift toolchain, only the C libraries below. Debug info is
# stripped (175 MB -> 114 MB); the symbol table stays, so crash backtraces still name functions.
RUN swift build -c release --product switchyard --static-swift-stdlib \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/switchyard" /staging/switchyard \
    && strip --strip-debug /staging/switchyard

# ---- run ---------------------------------------------------------------------------------------------------------
FROM ubuntu:${UBUNTU_VERSION}

# What the static-stdlib binary still links (`ldd`): libsqlite3 (the ledger), libstdc++, libgcc_s, zlib and glibc;
# the last three and libstdc++ are already in the base image, listed to keep the dependency visible. Plus
# ca-certificates for TLS to the providers' APIs and tzdata for Foundation's time zones. No libcurl: nothing uses
# FoundationNetworking.
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libsqlite3-0 libstdc++6 zlib1g ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid so that orchestrators can check runAsNonRoot and volumes can be chowned ahead of time.
RUN groupadd --system --gid 10001 switchyard \
    && useradd --system --uid 10001 --gid switchyard --home-dir /data --no-create-home --shell /usr/sbin/nologin switchyard \
    && mkdir -p /data /etc/switchyard \
    && chown switchyard:switchyard /data

COPY --from=build /staging/switchyard /usr/local/bin/switchyard
COPY examples /etc/switchyard/examples

# The ledger lives on the volume. With no SWITCHYARD_CONFIG (or --config) the built-in demo runs; mount a file
# and set SWITCHYARD_CONFIG=/etc/switchyard/switchyard.yaml to use your own.
ENV SWITCHYARD_DB=/data/switchyard.sqlite
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001

EXPOSE 8080

# No curl or wget in the image: bash's /dev/tcp asks GET /readyz on the default port and expects a 200. /readyz, not
# /healthz: a process whose ledger cannot record requests (a lock, a full disk) answers 503 there, and is unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["switchyard"]
CMD ["serve", "--host", "0.0.0.0"]

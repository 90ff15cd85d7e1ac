# One image, one binary: `event-reward gateway|auth|event|all`.
# Build: a Swift 6.3 toolchain image with libmongoc's headers; run: slim Debian with only
# libmongoc's shared libraries, as a non-root user.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmongoc-dev libbson-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --product event-reward --static-swift-stdlib \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/event-reward" /out/ \
 && cp -R "$(swift build -c release --show-bin-path)"/*.resources /out/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmongoc-1.0-0 libbson-1.0-0 ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /out/ /app/
USER app
ENV HOST=0.0.0.0 LOG_FORMAT=json
ENTRYPOINT ["/app/event-reward"]
CMD ["all"]

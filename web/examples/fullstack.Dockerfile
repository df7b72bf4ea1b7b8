# syntax=docker/dockerfile:1
ARG NODE_VERSION=20

# ui builds the web front end
FROM node:${NODE_VERSION}-alpine AS ui
WORKDIR /ui
COPY ui/package.json ui/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY ui/ ./
RUN npm run build

# api compiles the Go server
FROM golang:1.22-alpine AS api
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -ldflags "-X main.version=${VERSION}" -o /out/api ./cmd/api

# the runtime image: the server and the static files
FROM alpine:3.20
RUN apk add --no-cache ca-certificates
COPY --link --from=api /out/api /usr/local/bin/api
COPY --link --from=ui /ui/dist /srv/www
USER nobody
EXPOSE 8080
ENTRYPOINT ["api", "--static", "/srv/www"]

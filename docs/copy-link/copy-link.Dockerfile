FROM alpine:3.20
COPY --link dir1 /dir1

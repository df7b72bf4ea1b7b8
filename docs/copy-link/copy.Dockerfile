FROM alpine:3.20
COPY dir1 /dir1

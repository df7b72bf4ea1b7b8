import { readFileSync } from 'node:fs';
import { compile, dumpDefinition, type ImageMetadataFile } from 'dockerfile-llb';

const images = JSON.parse(readFileSync('examples/images.json', 'utf8')) as ImageMetadataFile;
const dockerfile = 'FROM alpine:3.20\nRUN apk add --no-cache curl\nCMD ["curl", "--version"]\n';

const result = await compile(dockerfile, { images, buildArgs: {}, platform: 'linux/amd64' });
for (const op of dumpDefinition(result.definition)) console.log(op.Digest, Object.keys(op.Op).join(','));
console.log(result.bytes.length, 'bytes;', 'CMD', JSON.stringify(result.imageConfig.config?.Cmd));

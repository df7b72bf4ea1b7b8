import { readFileSync } from 'node:fs';
import { compile, decodeGraph, definitionDigests, encodeGraph, readDefinition, writeDefinition, type ImageMetadataFile } from 'dockerfile-llb';

const images = JSON.parse(readFileSync('examples/images.json', 'utf8')) as ImageMetadataFile;
const { bytes } = await compile(readFileSync('examples/go-link/Dockerfile'), { images });

// Bytes -> Definition -> typed graph -> Definition -> bytes.
const def = readDefinition(bytes);
const graph = decodeGraph(def);
const again = encodeGraph(graph).definition;
console.log('ops:', def.def.length, '| root:', graph.root?.vertex.kind, '| source map:', graph.sources.map((s) => s.filename).join());
console.log('same ops:', definitionDigests(again).join() === definitionDigests(def).join());
console.log('same bytes:', Buffer.from(writeDefinition(again)).equals(Buffer.from(bytes)));

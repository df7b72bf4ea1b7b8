/**
 * The Dockerfiles the page offers, bundled from the repository's examples, with the image
 * metadata they compile against (`examples/images.json`).
 */
import type { ImageMetadataFile } from 'dockerfile-llb';
import imagesJson from '../../examples/images.json';
import copyLink from '../../docs/copy-link/copy-link.Dockerfile?raw';
import copy from '../../docs/copy-link/copy.Dockerfile?raw';
import goLink from '../../examples/go-link/Dockerfile?raw';
import hello from '../../examples/hello/Dockerfile?raw';
import heredocs from '../../examples/heredocs/Dockerfile?raw';
import nodeCache from '../../examples/node-cache/Dockerfile?raw';
import nodeCacheIgnore from '../../examples/node-cache/.dockerignore?raw';
import fullstack from '../examples/fullstack.Dockerfile?raw';

export interface Example {
  /** The value in the picker (stable: tests and links use it). */
  readonly id: string;
  readonly title: string;
  readonly dockerfile: string;
  /** The `.dockerignore` of its build context. */
  readonly dockerignore: string;
}

export const bundledImages: ImageMetadataFile = imagesJson;

export const examples: readonly Example[] = [
  { id: 'fullstack', title: 'Multi-stage app (Node UI, Go API, --link)', dockerfile: fullstack, dockerignore: '' },
  { id: 'copy', title: 'COPY (the article, without --link)', dockerfile: copy, dockerignore: '' },
  { id: 'copy-link', title: 'COPY --link (the article)', dockerfile: copyLink, dockerignore: '' },
  { id: 'go-link', title: 'Go with COPY --link (examples/go-link)', dockerfile: goLink, dockerignore: '' },
  { id: 'node-cache', title: 'Node.js with a cache mount (examples/node-cache)', dockerfile: nodeCache, dockerignore: nodeCacheIgnore },
  { id: 'heredocs', title: 'Heredocs (examples/heredocs)', dockerfile: heredocs, dockerignore: '' },
  { id: 'hello', title: 'FROM scratch (examples/hello)', dockerfile: hello, dockerignore: '' },
];

/** The example the page opens with when the link names no Dockerfile. */
export const defaultExample: Example = examples[0];

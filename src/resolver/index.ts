/// <reference types="node" />
/**
 * The Node half of image resolution: a registry client implementing {@link ImageResolver}
 * and docker's credential lookup. Re-exported by the Node entry point.
 */
export {
  DOCKER_HUB_REGISTRY,
  RegistryResolver,
  isLoopbackHost,
  registryHost,
  type RegistryResolverOptions,
} from './registry-resolver.js';
export {
  DOCKER_HUB_AUTH_KEY,
  DockerCredentialStore,
  convertToHostname,
  credentialKey,
  type CredentialsProvider,
  type DockerCredentialStoreOptions,
  type RegistryCredentials,
} from './credentials.js';
export type { FetchLike } from './transport.js';
export { loadStaticResolver, readImageMetadataFile } from './metadata-file.js';
export { MediaTypes } from './manifest.js';
export type { ImageResolver } from '../image/types.js';

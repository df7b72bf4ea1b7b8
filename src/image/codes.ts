/** Error codes of image reference parsing and resolution (defined with the others in `src/errors.ts`). */
export { ImageErrorCode } from '../errors.js';

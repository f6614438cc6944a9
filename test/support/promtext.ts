// Tests read every metrics endpoint with the same text exposition parser the apiserver uses.
export { parseExposition, type Exposition, type Sample } from '../../pkg/util/promtext.js';

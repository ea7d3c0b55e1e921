/** `@lineage/embed/text`: marking for pipelines that only see text (the lexical scheme). */
export { LexicalMarker, type LexicalMarkerOptions, markText, markTextStream } from './lexical-marker.js';

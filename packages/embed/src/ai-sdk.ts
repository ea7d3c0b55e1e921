/**
 * `@lineage/embed/ai-sdk`: a Vercel AI SDK v5 middleware (LanguageModelV2) that marks generated
 * and streamed text per account and inserts canaries. Types come from `@ai-sdk/provider` (an
 * optional peer dependency); nothing of the SDK is loaded at run time.
 */
export { type LineageAccount, type LineageMiddlewareOptions, lineageMiddleware } from './ai-sdk/lineage-middleware.js';

/**
 * The real `openai` client for tests outside this package (test/ at the repository root), which
 * cannot resolve the proxy's dev dependency on their own.
 */
export { default as OpenAI } from 'openai';

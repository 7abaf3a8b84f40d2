export { compileTemplate, loadTemplate, type PromptTemplate } from './prompt-template.js';

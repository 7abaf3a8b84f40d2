import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitepress';

// Written by scripts/generate-reference.mjs, which runs before every build.
const reference = JSON.parse(
  readFileSync(new URL('../reference/sidebar.json', import.meta.url), 'utf8'),
) as { builders: { text: string; link: string }[]; blocks: { text: string; link: string }[] };

export default defineConfig({
  title: 'DGT',
  description: 'Synthetic data generation for TypeScript, reading DiGiT task files.',
  // Dead links fail the build (VitePress's default; kept on purpose).
  ignoreDeadLinks: false,
  cleanUrls: false,
  lastUpdated: false,
  outDir: 'dist',
  // Inside node_modules, so linters and git ignore it.
  cacheDir: 'node_modules/.vitepress-cache',
  srcExclude: ['examples/**', 'test/**', 'README.md'],
  // Everything is served from this site: no web fonts, analytics or CDN requests.
  head: [],
  markdown: { theme: { light: 'github-light', dark: 'github-dark' } },
  themeConfig: {
    search: { provider: 'local' },
    nav: [
      { text: 'Guide', link: '/guide/install' },
      { text: 'Concepts', link: '/concepts/tasks' },
      { text: 'Guides', link: '/guides/writing-a-databuilder' },
      { text: 'Reference', link: '/reference/' },
    ],
    outline: [2, 3],
    sidebar: [
      {
        text: 'Getting started',
        items: [
          { text: 'Install', link: '/guide/install' },
          { text: 'Quick start', link: '/guide/quick-start' },
          { text: 'Installing plugins', link: '/guide/installing' },
          { text: 'Switching the model', link: '/guide/models' },
        ],
      },
      {
        text: 'Concepts',
        items: [
          { text: 'Tasks', link: '/concepts/tasks' },
          { text: 'Databuilders', link: '/concepts/databuilders' },
          { text: 'Blocks', link: '/concepts/blocks' },
          { text: 'Datastores and dataloaders', link: '/concepts/datastores' },
          { text: 'The run loop and stopping', link: '/concepts/run-loop' },
          { text: 'Output layout', link: '/concepts/output' },
          { text: 'Resume and restart', link: '/concepts/resume' },
          { text: 'The request cache', link: '/concepts/cache' },
          { text: 'Rate limits and retries', link: '/concepts/rate-limits' },
          { text: 'Events', link: '/concepts/events' },
        ],
      },
      {
        text: 'Guides',
        items: [
          { text: 'Writing a databuilder', link: '/guides/writing-a-databuilder' },
          { text: 'Review your data', link: '/guides/review-your-data' },
          { text: 'Conversations', link: '/guides/conversations' },
          { text: 'Magpie and embeddings', link: '/guides/magpie' },
          { text: 'Publishing a plugin', link: '/guides/plugin-package' },
          { text: 'Plugin compatibility policy', link: '/guides/compatibility' },
          { text: 'Author a provider', link: '/guides/author-a-provider' },
          { text: 'Migrating from DiGiT', link: '/guides/migrating-from-digit' },
          { text: "DiGiT's builders", link: '/guides/digit-builders' },
          { text: 'Performance', link: '/guides/performance' },
          { text: 'Run on many machines', link: '/guides/many-machines' },
          { text: 'Cheaper bulk runs with Batch APIs', link: '/guides/batch-apis' },
          { text: 'Troubleshooting', link: '/guides/troubleshooting' },
          { text: 'Faults and what DGT does', link: '/guides/faults' },
        ],
      },
      {
        text: 'Reference',
        items: [
          { text: 'Overview', link: '/reference/' },
          { text: 'Task file', link: '/reference/task-file' },
          { text: 'Builder file', link: '/reference/builder-file' },
          { text: 'dgt command', link: '/reference/cli' },
          { text: 'Datastores and formatters', link: '/reference/datastores-formatters' },
          {
            text: 'Databuilders',
            link: '/reference/builders/',
            collapsed: true,
            items: reference.builders,
          },
          {
            text: 'Block types',
            link: '/reference/blocks/',
            collapsed: true,
            items: reference.blocks,
          },
        ],
      },
    ],
  },
});

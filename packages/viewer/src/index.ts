// Public API of @dgt/viewer: start the server (the CLI's `dgt view` uses this).
export {
  isLoopback,
  startViewer,
  type Viewer,
  type ViewerOptions,
} from './server/viewer-server.js';

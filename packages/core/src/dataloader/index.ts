export {
  createDatastoreLoader,
  type DatastoreLoader,
  type DatastoreLoaderOptions,
  type DatastoreLoaderState,
} from './datastore-loader.js';
export { remapFields, type TaskDataloader, taskDataloader } from './task-dataloader.js';

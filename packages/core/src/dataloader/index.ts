export {
  createDatastoreLoader,
  type DatastoreLoader,
  type DatastoreLoaderOptions,
  type DatastoreLoaderState,
} from './datastore-loader.js';

// pkg/client: the way every Timonel component (and third parties) talks to the apiserver.
export * from './rest.js';
export * from './store.js';
export * from './reflector.js';
export * from './informer.js';
export * from './factory.js';
export * from './workqueue.js';
export * from './leaderelection.js';
export * from './events.js';
export * from './controllerutil.js';

export * from './broker-types.js';
export * from './enums.js';
export * from './errors.js';
export * from './fields.js';
export * from './symbol.js';
export * from './utility.js';
export * from './webhooks.js';

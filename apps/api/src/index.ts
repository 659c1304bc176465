export { type App, buildApp } from './app.js';
export type { AppDeps, AppServices } from './app-services.js';
export { type Config, ConfigError, loadConfig } from './config.js';

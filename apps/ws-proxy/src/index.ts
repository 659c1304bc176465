export { buildProxy, type ProxyDeps, type ProxyStats, type WsProxy } from './app.js';
export { loadProxyConfig, type ProxyConfig, proxyEnvSchema } from './config.js';

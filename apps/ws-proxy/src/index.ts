export { loadProxyConfig, type ProxyConfig, proxyEnvSchema } from './config.js';

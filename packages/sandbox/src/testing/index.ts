/** Test tools for code that uses the sandbox: a scripted tick source and instrument fixtures. */
export { type ScriptedPrice, ScriptedTickSource, testInstrument } from './scripted-tick-source.js';

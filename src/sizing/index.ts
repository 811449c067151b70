export { recommend, closestPreset, ADMIN_MARGIN, DEFAULT_HEADROOM, type AdvisorInput, type Recommendation } from './advisor.js';
export { presets, presetNames, type PresetName, type PresetOptions } from './presets.js';
export { readServerFacts, type ServerFacts, type RunSql } from './server-facts.js';
export { physicalCores } from './host.js';

// Entry point for discovery: `instructlab/skills` and `public/instructlab/skills`.
export { skillsBuilder as default } from './skills/skills.js';

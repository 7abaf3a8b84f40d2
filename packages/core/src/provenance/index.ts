export type { ProvenanceContext, ProvenanceEntry } from './provenance-entry.js';
export { PROVENANCE_FILE } from './provenance-log.js';
export { recordId } from './record-id.js';
export {
  appendReviewDecision,
  applyReviewDecisions,
  REVIEW_FILE,
  REVIEW_REJECT_BLOCK,
  type ReviewDecision,
  readReviewDecisions,
} from './review-decisions.js';

/** The checks a knowledge task can ask of each generated pair (DiGiT's `criteria`). */
export const CRITERIA = ['faithfulness', 'relevancy', 'question_verification'] as const;

/** One criterion name. */
export type Criterion = (typeof CRITERIA)[number];

/** What the judge is told to check for each criterion. */
export const CRITERION_INSTRUCTIONS: Record<Criterion, string> = {
  faithfulness:
    'Faithfulness: every statement in the answer is supported by the document. Fail the pair if the answer adds facts the document does not give, changes them, or contradicts it.',
  relevancy:
    'Relevancy: the answer responds to the question that was asked, completely and without drifting to unrelated material.',
  question_verification:
    'Question quality: the question is clear, makes sense on its own, can be answered from the document, and asks about the subject matter (not about the document itself, such as "what does the passage say").',
};

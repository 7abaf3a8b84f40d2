import { z } from 'zod';

/**
 * A non-empty text field that also takes YAML scalars: `answer: 11` reads as a number, and DiGiT
 * task files rely on it being taken as the text "11".
 */
export const textField = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(String)
  .pipe(z.string().min(1));

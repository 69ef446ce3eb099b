import { z } from 'zod';
import { IMAGE_HUB_NAME_SOURCE, REPOSITORY_NAME_SOURCE } from '../reference/grammar.ts';
import { parseImageHubName, parseRepositoryName } from '../reference/image-hub-name.ts';

// The checks run the hand-written parser (precise messages); `pattern`/`maxLength` metadata carry
// the same grammar into the generated CRD so the API server enforces it too.

/** An imagehub name `org/repo:tag`, validated with {@link parseImageHubName}. */
export const ImageHubNameSchema = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseImageHubName(value);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.message, params: { reason: parsed.error.code } });
    }
  })
  .meta({ pattern: IMAGE_HUB_NAME_SOURCE, maxLength: 255 + 1 + 128 });

/** An imagehub repository name `org/repo`, validated with {@link parseRepositoryName}. */
export const RepositoryNameSchema = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseRepositoryName(value);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.message, params: { reason: parsed.error.code } });
    }
  })
  .meta({ pattern: REPOSITORY_NAME_SOURCE, maxLength: 255 });

import { InvalidSpec } from '../resources/validate.js';

/**
 * The validated spec, or undefined when it is invalid and `invalid` has recorded why (an invalid
 * spec stays invalid until the object changes: nothing is retried).
 */
export async function validSpec<Spec>(
  raw: unknown,
  validate: (raw: unknown) => Spec,
  invalid: (message: string) => Promise<unknown>,
): Promise<Spec | undefined> {
  try {
    return validate(raw);
  } catch (error) {
    if (!(error instanceof InvalidSpec)) throw error;
    await invalid(error.message);
    return undefined;
  }
}

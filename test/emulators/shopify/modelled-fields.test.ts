// The table of modelled fields (a nullable one a stored object lacks answers null) is what the generator writes.
import { describe, expect, it } from 'vitest';
import { MODELLED_FIELDS } from '../../../emulators/shopify/modelled-fields';
import { generatedFields } from './modelled';

describe('modelled fields', () => {
  it('lists, per type, exactly the fields generated shops of every tax region hold', () => {
    expect(MODELLED_FIELDS).toEqual(generatedFields());
  });
});

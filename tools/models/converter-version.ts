/**
 * The converter's version, written into every model (producer_version) and models.json. Bump it
 * whenever a change to the converter changes the bytes of the models it writes.
 */
export const CONVERTER_VERSION = '1.3.0';

/**
 * Postgres text and jsonb cannot hold U+0000, and jsonb refuses unpaired
 * UTF-16 surrogates (JSON lets both through as escapes). Refused at the
 * door, such strings cannot fail a database write downstream, where they
 * would stop a consumer on a poison message.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what must be found.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Any code unit UNSTORABLE could match: a cheap first test, as almost every string has none. */
// eslint-disable-next-line no-control-regex -- as above.
const SUSPECT = /[\u0000\ud800-\udfff]/;
export const isStorableText = (value: string): boolean => !SUSPECT.test(value) || !UNSTORABLE.test(value);
export const UNSTORABLE_MESSAGE = 'must not contain U+0000 or unpaired UTF-16 surrogates';

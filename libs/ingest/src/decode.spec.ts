import { describe, expect, it } from 'vitest';
import { HttpError } from '@recstream/platform';
import { decodeBatch, decodeSingle } from './decode.js';

const body = (text: string) => Buffer.from(text);

describe('decodeBatch', () => {
  it('reads a JSON array', () => {
    expect(decodeBatch(body('[{"a":1},2]'), 'application/json; charset=utf-8', 10)).toEqual([
      { ok: true, value: { a: 1 } },
      { ok: true, value: 2 },
    ]);
  });

  it('reads NDJSON line by line, rejecting only the lines that do not parse', () => {
    const items = decodeBatch(body('{"a":1}\n\n{oops\r\n{"b":"é😀"}\n'), 'application/x-ndjson', 10);
    expect(items[0]).toEqual({ ok: true, value: { a: 1 } });
    expect(items[1]).toMatchObject({ ok: false, raw: '{oops\r', reason: expect.stringMatching(/^line 2: invalid JSON/) });
    expect(items[2]).toEqual({ ok: true, value: { b: 'é😀' } });
  });

  it.each([
    ['[1,2', 'application/json', 400, /not valid JSON/],
    ['{"a":1}', 'application/json', 400, /must be a JSON array/],
    ['', 'application/json', 400, /empty/],
    ['[1,2,3]', 'application/json', 413, /limit is 2/],
    ['1\n2\n3', 'application/x-ndjson', 413, /limit is 2/],
    ['[]', 'text/csv', 415, /unsupported content-type "text\/csv"/],
    ['[]', undefined, 415, /unsupported content-type ""/],
  ])('rejects %j as %s with %i', (text, type, status, message) => {
    const attempt = () => decodeBatch(body(text), type, 2);
    expect(attempt).toThrow(HttpError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as HttpError).status).toBe(status);
    }
  });
});

describe('decodeSingle', () => {
  it('needs application/json', () => {
    expect(decodeSingle(body('{"x":1}'), 'application/json')).toEqual({ x: 1 });
    expect(() => decodeSingle(body('{"x":1}'), 'application/x-ndjson')).toThrow(/unsupported content-type/);
  });
});

// CSV cells never start a formula (OWASP "CSV injection"): names are typed by other people.
import { describe, expect, it } from 'vitest';
import { cell } from '../../src/http/exports.js';

describe('a CSV cell', () => {
  it.each([
    ['=1+2', "'=1+2"],
    ['+77011234567', "'+77011234567"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('neutralises %j as %j', (value, expected) => {
    expect(cell(value)).toBe(expected);
  });

  it('quotes separators and quotes after neutralising, and leaves ordinary text and numbers alone', () => {
    expect(cell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(cell('Ақбота, 9 жас')).toBe('"Ақбота, 9 жас"');
    expect(cell('line\r\nbreak')).toBe('"line\r\nbreak"');
    expect(cell('Шахматы')).toBe('Шахматы');
    expect(cell(1.5)).toBe('1.5');
    expect(cell('1234.56')).toBe('1234.56');
    expect(cell(null)).toBe('');
  });
});

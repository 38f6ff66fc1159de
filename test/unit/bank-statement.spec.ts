import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../src/services/statement.service.js';
import { initialsOf } from '../../src/services/treasury.service.js';

const HEADER = 'reference,payment_id,amount_tiyn,status,bank_reference,reason';
const ID = '0190aaaa-0000-7000-8000-000000000001';
const refusal = (csv: string) => {
  try {
    parseStatement(csv);
    return null;
  } catch (err) {
    return [(err as { extensions: { code: string } }).extensions.code, (err as Error).message];
  }
};

describe('the bank statement CSV', () => {
  it('reads quoted cells and a BOM, skips empty lines, and numbers each line as the file does', () => {
    const csv = `\uFEFF${HEADER}\nKEZEK-2026-11-1-200240000008,${ID},240000,REJECTED,,"Счёт закрыт, ""закрыт"""\n\nKEZEK-2026-11-2-200240000008,${ID.replace(/1$/, '2')},0,PAID,HB-1,\n`;
    expect(parseStatement(csv)).toEqual([
      { line: 2, reference: 'KEZEK-2026-11-1-200240000008', paymentId: ID, amountTiyn: '240000', status: 'REJECTED', bankReference: '', reason: 'Счёт закрыт, "закрыт"' },
      { line: 4, reference: 'KEZEK-2026-11-2-200240000008', paymentId: ID.replace(/1$/, '2'), amountTiyn: '0', status: 'PAID', bankReference: 'HB-1', reason: '' },
    ]);
  });

  it.each([
    ['ref,id\r\nx,y', 'Line 1 must be the header ' + HEADER + '.'],
    [HEADER, 'The statement has no lines.'],
    [`${HEADER}\r\nx,${ID},1,PAID,HB-1`, 'Line 2: 6 columns expected, 5 found.'],
    [`${HEADER}\r\nx,not-an-id,1,PAID,HB-1,`, 'Line 2: "not-an-id" is not a payment id.'],
    [`${HEADER}\r\nx,${ID},-5,PAID,HB-1,`, 'Line 2: the amount "-5" is not a whole number of tiyn.'],
    [`${HEADER}\r\nx,${ID},5,SENT,HB-1,`, 'Line 2: the status "SENT" is neither PAID nor REJECTED.'],
    [`${HEADER}\r\nx,${ID},5,PAID,,`, 'Line 2: a PAID line needs the bank reference (3–100 characters).'],
    [`${HEADER}\r\nx,${ID},5,REJECTED,,`, 'Line 2: a REJECTED line needs the reason (3–1000 characters).'],
    [`${HEADER}\r\nx,"${ID}`, 'The statement is not valid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 2.'],
  ])('refuses %j whole', (csv, message) => {
    expect(refusal(csv)).toEqual(['BAD_USER_INPUT', message]);
  });
});

describe('initials in the act of services', () => {
  it('keeps the first letter of each name', () => {
    expect(initialsOf('Әлия Сәрсенова')).toBe('Ә. С.');
    expect(initialsOf('  айгүл   Нұрланқызы Сейіт ')).toBe('А. Н. С.');
  });
});

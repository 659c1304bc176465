import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import { expiryInstant } from './universe.js';

describe('expiryInstant', () => {
  it('is 15:30 in Asia/Kolkata on the expiry date, for every day from 1990 to 2100', () => {
    const first = Date.UTC(1990, 0, 1) / 86_400_000;
    const last = Date.UTC(2100, 11, 31) / 86_400_000;
    let checked = 0;
    for (let day = first; day <= last; day += 1) {
      const date = new Date(day * 86_400_000);
      const expiry = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
      const zoned = new TZDate(expiry.year, expiry.month - 1, expiry.day, 15, 30, 0, 0, 'Asia/Kolkata');
      if (expiryInstant(expiry) !== zoned.getTime()) {
        expect({ expiry, instant: expiryInstant(expiry) }).toEqual({ expiry, instant: zoned.getTime() });
      }
      checked += 1;
    }
    expect(checked).toBe(last - first + 1);
  });
});

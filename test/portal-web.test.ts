// The portal's own checks, in the web app's code: citizens find a category in their own words,
// and a phone number the center cannot call back is refused before it is sent.
import { describe, expect, it } from 'vitest';
import { matchesService } from '../web/src/pages/public/categorySearch.js';

const noise = { service_name: '社会生活噪声', group: '生态环境', keywords: null, description: '广场舞音响、商铺喇叭' };
const lamp = { service_name: '道路照明设施', group: '城市管理', keywords: null, description: null };

describe('portal category search', () => {
  it('finds the listed category from everyday words', () => {
    expect(matchesService('噪音', noise)).toBe(true);
    expect(matchesService('楼下太吵', noise)).toBe(false); // a whole sentence is not a search word
    expect(matchesService('太吵', noise)).toBe(true);
    expect(matchesService('路灯', lamp)).toBe(true);
    expect(matchesService('噪音', lamp)).toBe(false);
    expect(matchesService('喇叭', noise)).toBe(true); // by its description
    expect(matchesService('', noise)).toBe(false);
  });
});

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { agentsNeeded, erlangC, evaluate } from './erlang.js';

describe('Erlang C', () => {
  it('matches published table values', () => {
    expect(erlangC(11, 10)).toBeCloseTo(0.6821, 4); // A = 10 E, N = 11
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 6); // M/M/2 at ρ = 0.5
    expect(erlangC(10, 10)).toBe(1);
    // 100 calls per half hour, AHT 180 s (A = 10 E), 14 agents: 88.8 % answered within 20 s
    expect(evaluate(200, 180, 14, 20).serviceLevel).toBeCloseTo(0.888, 3);
  });

  it('finds the fewest agents meeting 80/20 (360 calls/h, AHT 240 s → 24 E → 29 agents)', () => {
    const r = agentsNeeded(360, 240, 0.8, 20);
    expect(r.loadErlangs).toBe(24);
    expect(r.agents).toBe(29);
    expect(r.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(evaluate(360, 240, 28, 20).serviceLevel).toBeLessThan(0.8);
  });

  it('prints a plan from the CLI', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const r = spawnSync(process.execPath, ['bin/jiesu.js', 'staffing', '--calls-per-hour', '120,360', '--aht-seconds', '240'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')[3]).toMatch(/^\s+2\s+360\s+24\.00\s+29\s/);
    const bad = spawnSync(process.execPath, ['bin/jiesu.js', 'staffing', '--calls-per-hour', 'lots', '--aht-seconds', '240'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

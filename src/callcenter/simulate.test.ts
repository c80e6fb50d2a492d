import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { agentsNeeded, agentsNeededErlangA, evaluate, evaluateErlangA } from './erlang.js';
import { simulateYear } from './simulate.js';

const flat = { hourlyProfile: Array(24).fill(1), weekdayProfile: Array(7).fill(1) };

describe('Erlang A (callers hang up)', () => {
  it('becomes Erlang C when callers never give up', () => {
    const a = evaluateErlangA(360, 240, 28, 20, 1e12);
    const c = evaluate(360, 240, 28, 20);
    expect(a.probWait).toBeCloseTo(c.probWait, 6);
    expect(a.serviceLevel).toBeCloseTo(c.serviceLevel, 5);
    expect(a.asaSeconds).toBeCloseTo(c.asaSeconds, 3);
    expect(a.probAbandon).toBeLessThan(1e-6);
  });

  it('with patience = AHT the number in system is Poisson(A), as in M/M/∞', () => {
    const A = 24,
      N = 28;
    let p = Math.exp(-A),
      below = 0,
      excess = 0;
    for (let k = 0; k < 200; k++) {
      if (k < N) below += p;
      else excess += (k - N) * p;
      p *= A / (k + 1);
    }
    const r = evaluateErlangA(360, 240, N, 20, 240);
    expect(r.probWait).toBeCloseTo(1 - below, 9);
    // abandonment rate θ·E[queue] over arrival rate λ, with θ = μ: E[(K − N)+] / A
    expect(r.probAbandon).toBeCloseTo(excess / A, 9);
  });

  it('needs fewer agents than Erlang C for the same target, since some callers leave', () => {
    const c = agentsNeeded(360, 240, 0.8, 20);
    const a = agentsNeededErlangA(360, 240, 0.8, 20, 120);
    expect(a.agents).toBeLessThan(c.agents);
    expect(a.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(evaluateErlangA(360, 240, a.agents - 1, 20, 120).serviceLevel).toBeLessThan(0.8);
    // Over an unstable load (A > N) Erlang A still has an answer: the queue is held by abandonment.
    const over = evaluateErlangA(360, 240, 20, 20, 120);
    expect(over.probAbandon).toBeGreaterThan(0.1);
    expect(over.occupancy).toBeLessThanOrEqual(1);
  });
});

describe('simulation of a year of calls', () => {
  it('agrees with Erlang A and Erlang C on a steady load', () => {
    const days = 30;
    const calls = 360 * 24 * days;
    const a = simulateYear({ calls, days, ahtSeconds: 240, patienceSeconds: 120, agents: [26], targetSeconds: [20], seed: 3, ...flat });
    const ea = evaluateErlangA(360, 240, 26, 20, 120);
    expect(a.calls).toBe(calls);
    expect(a.answered + a.abandoned).toBe(calls);
    expect(Math.abs(a.serviceLevel['20']! - ea.serviceLevel)).toBeLessThan(0.015);
    expect(Math.abs(1 - a.answerRate - ea.probAbandon)).toBeLessThan(0.006);
    expect(Math.abs(a.asaSeconds - ea.asaSeconds)).toBeLessThan(1);
    const c = simulateYear({ calls, days, ahtSeconds: 240, agents: [28], targetSeconds: [20], seed: 3, ...flat });
    expect(c.abandoned).toBe(0);
    expect(Math.abs(c.serviceLevel['20']! - evaluate(360, 240, 28, 20).serviceLevel)).toBeLessThan(0.02);
  });

  it('is reproducible by seed and follows the plan hour by hour', () => {
    const input = { calls: 20_000, days: 30, ahtSeconds: 200, patienceSeconds: 60, agents: [2] };
    const a = simulateYear({ ...input, seed: 42 });
    expect({ ...simulateYear({ ...input, seed: 42 }), elapsedMs: 0 }).toEqual({ ...a, elapsedMs: 0 });
    expect(simulateYear({ ...input, seed: 43 }).answered).not.toBe(a.answered);
    // Nobody on duty from 00:00 to 08:00: every call in those hours waits until 08:00 and most give up.
    const night = [0, 0, 0, 0, 0, 0, 0, 0, ...Array(16).fill(30)];
    const r = simulateYear({ calls: 50_000, days: 30, ahtSeconds: 200, patienceSeconds: 60, agents: night, seed: 1, ...flat });
    expect(r.abandoned / r.calls).toBeGreaterThan(0.3); // a third of the calls come at night
    expect(r.abandoned / r.calls).toBeLessThan(0.34);
    expect(r.agentHours).toBe(30 * 16 * 30);
    expect(() => simulateYear({ ...input, agents: [1, 2, 3] })).toThrow(/1, 24, 168/);
  });

  it('runs from the CLI: Erlang A plan and a year of 406,174 calls', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const run = (...args: string[]) => spawnSync(process.execPath, ['bin/jiesu.js', 'staffing', ...args], { cwd: root, encoding: 'utf8' });
    const a = run('--calls-per-hour', '360', '--aht-seconds', '240', '--patience-seconds', '120');
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/Erlang A/);
    expect(a.stdout.trim().split('\n')[2]).toMatch(/^\s+1\s+360\s+24\.00\s+26\s/);
    const s = run('simulate', '--agents', '12', '--aht-seconds', '240', '--patience-seconds', '90', '--seed', '5', '--json');
    expect(s.status, s.stderr).toBe(0);
    const r = JSON.parse(s.stdout);
    expect(r.calls).toBe(406174);
    expect(r.answered + r.abandoned).toBe(406174);
    expect(r.answerRate).toBeGreaterThan(0.9);
    expect(Object.keys(r.serviceLevel)).toEqual(['15', '20']);
    const again = JSON.parse(run('simulate', '--agents', '12', '--aht-seconds', '240', '--patience-seconds', '90', '--seed', '5', '--json').stdout);
    expect(again.answered).toBe(r.answered);
    const bad = run('simulate', '--agents', '1,2,3', '--aht-seconds', '240');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/^jiesu: staffing plan/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

// The one-year call-center simulation (406,174 calls, a city's yearly volume) and Erlang A.
import { round, type Benchmark } from '../../bench/harness.js';
import { agentsNeededErlangA, evaluateErlangA } from './erlang.js';
import { DEFAULT_HOURLY_PROFILE, simulateYear } from './simulate.js';

export const callcenterBench: Benchmark = {
  module: 'callcenter',
  title: 'staffing: one-year discrete-event simulation and Erlang A',
  run() {
    // A plan by Erlang A for the average day of the default profile, 80 % within 15 s.
    const calls = 406174;
    const sum = DEFAULT_HOURLY_PROFILE.reduce((s, w) => s + w, 0);
    const plan = DEFAULT_HOURLY_PROFILE.map((w) => agentsNeededErlangA((calls / 365) * (w / sum), 240, 0.8, 15, 90).agents);
    const r = simulateYear({ calls, ahtSeconds: 240, patienceSeconds: 90, agents: plan, seed: 1 });
    const t = performance.now();
    for (let i = 0; i < 200; i++) evaluateErlangA(360 + i, 240, 30, 20, 120);
    const erlangMs = (performance.now() - t) / 200;
    return [
      {
        name: `simulate a year of ${calls} calls (Erlang A plan, ${r.agentHours} agent-hours)`,
        value: round(r.elapsedMs / 1000, 2),
        unit: 's',
        target: '< 5 s',
        pass: r.elapsedMs < 5000,
        notes: `answer rate ${round(100 * r.answerRate, 1)} %, SL15 ${round(100 * r.serviceLevel['15']!, 1)} %, ASA ${round(r.asaSeconds, 1)} s`,
      },
      { name: 'Erlang A evaluation (N = 30, SL within 20 s)', value: round(erlangMs, 3), unit: 'ms' },
    ];
  },
};

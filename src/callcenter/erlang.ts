// Erlang C staffing (M/M/N queue, callers never give up): the probability that a call
// waits, the service level and ASA for N agents, and the fewest agents meeting a target.
//   A = λ · AHT (offered load, Erlangs); Pw = ErlangC(N, A)
//   SL(t) = 1 − Pw · e^{−(N − A)·t / AHT};   ASA = Pw · AHT / (N − A)

/** Erlang C probability of waiting, by the stable Erlang B recursion. */
export function erlangC(agents: number, load: number): number {
  if (agents <= load) return 1;
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (load * b) / (k + load * b);
  return (agents * b) / (agents - load * (1 - b));
}

export interface StaffingResult {
  callsPerHour: number;
  loadErlangs: number;
  agents: number;
  probWait: number;
  serviceLevel: number;
  asaSeconds: number;
  occupancy: number;
}

export function evaluate(callsPerHour: number, ahtSeconds: number, agents: number, targetSeconds: number): StaffingResult {
  const load = (callsPerHour * ahtSeconds) / 3600;
  const pw = erlangC(agents, load);
  const stable = agents > load;
  return {
    callsPerHour,
    loadErlangs: load,
    agents,
    probWait: pw,
    serviceLevel: stable ? 1 - pw * Math.exp((-(agents - load) * targetSeconds) / ahtSeconds) : 0,
    asaSeconds: stable ? (pw * ahtSeconds) / (agents - load) : Infinity,
    occupancy: agents > 0 ? Math.min(1, load / agents) : 1,
  };
}

/** The fewest agents whose service level within targetSeconds reaches targetSl. */
export function agentsNeeded(callsPerHour: number, ahtSeconds: number, targetSl: number, targetSeconds: number): StaffingResult {
  const load = (callsPerHour * ahtSeconds) / 3600;
  for (let n = Math.max(1, Math.floor(load) + 1); ; n++) {
    const r = evaluate(callsPerHour, ahtSeconds, n, targetSeconds);
    if (r.serviceLevel >= targetSl || callsPerHour === 0) return r;
  }
}

// Erlang A (M/M/N+M, Palm 1943; Mandelbaum & Zeltyn, "The Palm/Erlang-A queue, with
// applications to call centers", 2007): callers give up after an exponential patience
// with mean 1/θ. Computed from the birth–death chain itself (no truncation error beyond
// 1e-15 of the mass):
//   π_k ∝ A^k/k! (k ≤ N);  π_{N+j} = π_N · Π_{i=1..j} λ/(Nμ + iθ)
// By PASTA an arrival finding N+j in the system has j callers ahead. While m are ahead it
// moves up at rate Nμ + mθ (a service ends or one ahead gives up) and gives up itself at
// rate θ, so with r_m = Nμ + (m+1)θ and a_m = (Nμ + mθ)/r_m:
//   P(served | m ahead) = S_m = a_m · S_{m−1},  S_{−1} = 1
//   E[wait · 1{served} | m] = T_m = a_m · (S_{m−1}/r_m + T_{m−1}),  T_{−1} = 0
// and P(answered within t) integrates the same pure-death chain up to t (RK4).
// Checks: θ → 0 gives Erlang C; θ = μ makes the number in system Poisson(A) (M/M/∞).

export interface ErlangAResult extends StaffingResult {
  /** Share of offered calls that give up waiting. */
  probAbandon: number;
  /** Answered within the target time, over all offered calls (abandoned ones count as missed). */
  serviceLevel: number;
  /** Mean wait of the answered calls. */
  asaSeconds: number;
}

function erlangAChain(lambda: number, mu: number, theta: number, agents: number) {
  const load = lambda / mu;
  // log-weights to stay finite for large N
  const w: number[] = [];
  let logp = 0;
  let max = 0;
  w.push(0);
  for (let k = 1; k <= agents; k++) {
    logp += Math.log(load / k);
    w.push(logp);
    if (logp > max) max = logp;
  }
  for (let j = 1; ; j++) {
    logp += Math.log(lambda / (agents * mu + j * theta));
    w.push(logp);
    if (logp > max) max = logp;
    if (logp - max < -36 && j > 5) break;
  }
  const p = w.map((x) => Math.exp(x - max));
  const total = p.reduce((s, x) => s + x, 0);
  return p.map((x) => x / total);
}

export function evaluateErlangA(callsPerHour: number, ahtSeconds: number, agents: number, targetSeconds: number, patienceSeconds: number): ErlangAResult {
  const lambda = callsPerHour / 3600;
  const mu = 1 / ahtSeconds;
  const theta = 1 / patienceSeconds;
  const load = lambda * ahtSeconds;
  if (callsPerHour === 0) {
    return { callsPerHour, loadErlangs: 0, agents, probWait: 0, probAbandon: 0, serviceLevel: 1, asaSeconds: 0, occupancy: 0 };
  }
  if (agents === 0) {
    return { callsPerHour, loadErlangs: load, agents, probWait: 1, probAbandon: 1, serviceLevel: 0, asaSeconds: 0, occupancy: 1 };
  }
  const pi = erlangAChain(lambda, mu, theta, agents);
  const queued = pi.slice(agents); // queued[m]: an arrival finds m ahead of it
  const probWait = queued.reduce((s, x) => s + x, 0);
  let S = 1;
  let T = 0;
  let served = 1 - probWait;
  let waitServed = 0;
  for (let m = 0; m < queued.length; m++) {
    const r = agents * mu + (m + 1) * theta;
    const a = (agents * mu + m * theta) / r;
    T = a * (S / r + T);
    S = a * S;
    served += queued[m]! * S;
    waitServed += queued[m]! * T;
  }
  // P(served within t): the pure-death chain of the callers ahead, with own abandonment.
  let x = queued.slice();
  const rate = (m: number) => agents * mu + (m + 1) * theta;
  const up = (m: number) => agents * mu + m * theta;
  const deriv = (v: number[]) => {
    const d = new Array<number>(v.length);
    for (let m = 0; m < v.length; m++) d[m] = -rate(m) * v[m]! + (m + 1 < v.length ? up(m + 1) * v[m + 1]! : 0);
    return d;
  };
  const maxRate = rate(queued.length - 1);
  const steps = Math.max(50, Math.ceil((targetSeconds * maxRate) / 0.05));
  const h = targetSeconds / steps;
  let servedWithin = 0;
  for (let s = 0; s < steps; s++) {
    // RK4 on x, and on the served flux Nμ·x_0
    const k1 = deriv(x);
    const x2 = x.map((v, i) => v + (h / 2) * k1[i]!);
    const k2 = deriv(x2);
    const x3 = x.map((v, i) => v + (h / 2) * k2[i]!);
    const k3 = deriv(x3);
    const x4 = x.map((v, i) => v + h * k3[i]!);
    const k4 = deriv(x4);
    servedWithin += (h / 6) * agents * mu * (x[0]! + 2 * x2[0]! + 2 * x3[0]! + x4[0]!);
    x = x.map((v, i) => v + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
  }
  const busy = served * load; // carried load = answered share × offered load
  return {
    callsPerHour,
    loadErlangs: load,
    agents,
    probWait,
    probAbandon: 1 - served,
    serviceLevel: 1 - probWait + servedWithin,
    asaSeconds: served > 0 ? waitServed / served : 0,
    occupancy: Math.min(1, busy / agents),
  };
}

/** The fewest agents whose service level (answered within targetSeconds / offered) reaches targetSl, by Erlang A. */
export function agentsNeededErlangA(callsPerHour: number, ahtSeconds: number, targetSl: number, targetSeconds: number, patienceSeconds: number): ErlangAResult {
  for (let n = callsPerHour === 0 ? 0 : 1; ; n++) {
    const r = evaluateErlangA(callsPerHour, ahtSeconds, n, targetSeconds, patienceSeconds);
    if (r.serviceLevel >= targetSl || callsPerHour === 0) return r;
  }
}
